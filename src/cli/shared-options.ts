// Options shared by render, lint and explain, and how they become build and render settings.
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CompileOptions } from '../pipeline/compile.js';
import { defaultClassSettings } from '../model/settings.js';
import { DEFAULT_ANNOTATIONS_PREFIX, defaultAnnotationSettings } from '../annotations/annotation-settings.js';
import { isDnsSubdomain } from '../build/grammar.js';
import { readSystemResolvers } from '../runtime/system-resolvers.js';

export interface SharedOptions {
  readonly file: string[];
  readonly ingressClass: string;
  readonly controllerClass: string;
  readonly watchIngressWithoutClass: boolean;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly listenAddress: string | undefined;
  readonly runtimeDir: string;
  readonly configmap: string;
  readonly annotationsPrefix: string;
  readonly claimIngressClass: boolean;
  /** Undefined: the nameservers of /etc/resolv.conf. */
  readonly resolver?: readonly string[] | undefined;
}

export const DEFAULT_RUNTIME_DIR = resolve(tmpdir(), 'portico');

export function addSharedOptions(command: Command): Command {
  return addBuildOptions(command.requiredOption('-f, --file <path>', 'a YAML/JSON manifest file or directory (repeatable)', collect));
}

/** The options that shape the config, shared with the controller (which reads objects from elsewhere). */
export function addBuildOptions(command: Command): Command {
  return command
    .option('--ingress-class <name>', 'the IngressClass name to serve', defaultClassSettings.ingressClass)
    .option('--controller-class <value>', 'the spec.controller of IngressClasses to serve', defaultClassSettings.controllerClass)
    .option('--watch-ingress-without-class', 'also serve Ingresses that name no class', false)
    .option('--claim-ingress-class', 'serve the IngressClass named by --ingress-class whatever its controller (to take over e.g. "nginx")', false)
    .option('--annotations-prefix <prefix>', 'the prefix of the annotations Portico reads', parseAnnotationsPrefix, DEFAULT_ANNOTATIONS_PREFIX)
    .option('--http-port <n>', 'the port nginx listens on for HTTP', parsePort, 80)
    .option('--https-port <n>', 'the port nginx listens on for HTTPS', parsePort, 443)
    .option('--listen-address <addr>', 'the address nginx listens on (default: every address)', parseAddress)
    .option('--runtime-dir <dir>', 'where certificates, pid, logs and temp files live', DEFAULT_RUNTIME_DIR)
    .option('--configmap <[namespace/]name>', 'the ConfigMap with controller settings', 'portico')
    .option('--resolver <addr[,addr]>', 'the DNS servers nginx asks for host names in auth-url (default: the nameservers of /etc/resolv.conf)', parseResolvers);
}

export function compileOptionsOf(options: Omit<SharedOptions, 'file'>, now: Date = new Date()): CompileOptions {
  const [namespace, name] = options.configmap.includes('/') ? options.configmap.split('/', 2) : [undefined, options.configmap];
  return {
    classes: {
      ingressClass: options.ingressClass,
      controllerClass: options.controllerClass,
      watchIngressWithoutClass: options.watchIngressWithoutClass,
      claimIngressClass: options.claimIngressClass,
    },
    annotations: { ...defaultAnnotationSettings, prefix: options.annotationsPrefix },
    settingsSource: { namespace, name: name ?? options.configmap },
    now,
    render: {
      runtimeDir: resolve(options.runtimeDir),
      httpPort: options.httpPort,
      httpsPort: options.httpsPort,
      listenAddress: options.listenAddress,
      resolvers: options.resolver ?? readSystemResolvers(),
    },
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return port;
}

function parseResolvers(value: string): string[] {
  const addresses = value.split(',').map((a) => a.trim());
  if (addresses.some((a) => isIP(a) === 0)) throw new InvalidArgumentError('expected IP addresses, separated by commas');
  return addresses;
}

function parseAnnotationsPrefix(value: string): string {
  if (!isDnsSubdomain(value)) throw new InvalidArgumentError('expected a DNS subdomain such as nginx.ingress.kubernetes.io');
  return value;
}

function parseAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('expected an IPv4 or IPv6 address');
  return value;
}

export function parseFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('expected "text" or "json"');
  return value;
}

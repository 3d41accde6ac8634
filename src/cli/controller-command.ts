// portico controller: the long-running controller, fed by the Kubernetes API or a manifest directory.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isDnsLabel, isDnsSubdomain } from '../build/grammar.js';
import { runController, type ControllerSource, type PublishSource } from '../controller/run-controller.js';
import { findNginx } from '../nginx/find-nginx.js';
import type { NginxMode } from '../nginx/nginx-driver.js';
import { createLogger } from '../observability/logger.js';
import { parseStatusAddresses } from '../status/publish-addresses.js';
import { addBuildOptions, compileOptionsOf, parsePort, type SharedOptions } from './shared-options.js';

interface ControllerCommandOptions extends Omit<SharedOptions, 'file'> {
  readonly kubeconfig: string | undefined;
  readonly manifests: string | undefined;
  readonly watchNamespace: string | undefined;
  readonly nginxMode: NginxMode;
  readonly nginxBinary: string;
  readonly healthPort: number;
  readonly publishService: string | undefined;
  readonly publishStatusAddress: string[] | undefined;
  readonly updateStatusOnShutdown: boolean;
  readonly electionId: string;
  readonly controllerNamespace: string;
}

export function controllerCommand(): Command {
  return addBuildOptions(new Command('controller').description('watch Ingresses and keep nginx serving them'))
    .option('--kubeconfig <file>', 'a kubeconfig (default: the in-cluster service account)')
    .option('--manifests <dir>', 'read objects from this directory of manifests instead of the Kubernetes API')
    .option('--watch-namespace <namespace>', 'watch one namespace only (default: all)')
    .option('--nginx-mode <mode>', 'spawn (start nginx as a child) or sidecar (signal the nginx of another container)', parseMode, 'spawn')
    .option('--nginx-binary <path>', 'the nginx binary used to test configs (and to run nginx in spawn mode)', findNginx())
    .option('--health-port <n>', 'the port of /healthz, /readyz and /metrics', parsePort, 10254)
    .option('--publish-service <[namespace/]name>', 'write the addresses of this Service into Ingress status (namespace: --controller-namespace)')
    .option('--publish-status-address <addr[,addr]>', 'write these addresses (IPs or host names) into Ingress status', parseStatusAddressList)
    .option('--update-status-on-shutdown [bool]', 'clear Ingress status when the leader stops and no other replica runs', parseBoolean, true)
    .option('--election-id <name>', 'the Lease replicas elect their leader with (only the leader writes status and Events)', parseLeaseName, 'portico-leader')
    .addOption(
      new Option('--controller-namespace <namespace>', "the controller's namespace, home of the Lease")
        .argParser(parseNamespace)
        .default(defaultNamespace(), '$POD_NAMESPACE, else "default"'),
    )
    .action(async (options: ControllerCommandOptions, command: Command) => {
      if (options.kubeconfig !== undefined && options.manifests !== undefined) throw new InvalidArgumentError('--kubeconfig and --manifests exclude each other');
      if (options.publishService !== undefined && options.publishStatusAddress !== undefined) {
        command.error('error: --publish-service and --publish-status-address exclude each other', { exitCode: 2 });
      }
      if (options.manifests !== undefined && (options.publishService !== undefined || options.publishStatusAddress !== undefined)) {
        command.error('error: Ingress status is written to the Kubernetes API only; --manifests takes no --publish-* option', { exitCode: 2 });
      }
      let publish: PublishSource | undefined;
      if (options.publishStatusAddress !== undefined) publish = { kind: 'addresses', addresses: options.publishStatusAddress };
      else if (options.publishService !== undefined) publish = parsePublishService(options.publishService, options.controllerNamespace, command);
      const source: ControllerSource =
        options.manifests === undefined
          ? {
              kind: 'kubernetes',
              kubeconfig: options.kubeconfig,
              watchNamespace: options.watchNamespace,
              duties: {
                publish,
                updateStatusOnShutdown: options.updateStatusOnShutdown,
                election: { leaseName: options.electionId, namespace: options.controllerNamespace, identity: process.env['POD_NAME'] ?? hostname() },
              },
            }
          : { kind: 'manifests', dir: resolve(options.manifests) };
      const logger = createLogger();
      const controller = await runController(
        { source, nginx: { mode: options.nginxMode, binary: options.nginxBinary }, compile: compileOptionsOf(options), healthPort: options.healthPort },
        logger,
      );
      await new Promise<void>((resolveStop) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'stopping');
          controller.stop().then(resolveStop, (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            resolveStop();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

function parseMode(value: string): NginxMode {
  if (value !== 'spawn' && value !== 'sidecar') throw new InvalidArgumentError('expected "spawn" or "sidecar"');
  return value;
}

function parseBoolean(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError('expected "true" or "false"');
  return value === 'true';
}

function parseNamespace(value: string): string {
  if (!isDnsLabel(value)) throw new InvalidArgumentError('expected a namespace (a DNS label)');
  return value;
}

function parseLeaseName(value: string): string {
  if (!isDnsSubdomain(value)) throw new InvalidArgumentError('expected a Lease name (a DNS subdomain)');
  return value;
}

function parseStatusAddressList(value: string): string[] {
  const addresses = parseStatusAddresses(value);
  if (addresses.length === 0) throw new InvalidArgumentError('expected one or more addresses, comma-separated');
  return addresses;
}

function defaultNamespace(): string {
  const namespace = process.env['POD_NAMESPACE'];
  return namespace !== undefined && isDnsLabel(namespace) ? namespace : 'default';
}

function parsePublishService(value: string, controllerNamespace: string, command: Command): PublishSource {
  const parts = value.split('/');
  const [namespace, name] = parts.length === 1 ? [controllerNamespace, value] : parts;
  if (parts.length > 2 || namespace === undefined || name === undefined || !isDnsLabel(namespace) || !isDnsLabel(name)) {
    command.error('error: --publish-service expects [namespace/]name', { exitCode: 2 });
  }
  return { kind: 'service', namespace, name };
}

// The installs deploy/ offers (the base and each overlay), built once, with the pieces the deploy tests look
// at: the controller workload and its two containers, and the controller flags parsed by the real command.
import { resolve } from 'node:path';
import { controllerCommand } from '../../src/cli/controller-command.js';
import type { ManifestObject } from './kustomize-build.js';

export const REPO = resolve(import.meta.dirname, '../../..');

export interface Install {
  readonly name: string;
  /** The directory `kubectl apply -k` takes. */
  readonly dir: string;
}

export const INSTALLS: readonly Install[] = [
  { name: 'deploy/ (the base)', dir: resolve(REPO, 'deploy') },
  { name: 'deploy/overlays/daemonset', dir: resolve(REPO, 'deploy/overlays/daemonset') },
  { name: 'deploy/overlays/namespaced', dir: resolve(REPO, 'deploy/overlays/namespaced') },
];

/** The fields of a container the tests read. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  readonly ports?: { name?: string; containerPort: number; protocol?: string }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: { preStop?: { exec?: { command: string[] } } };
  readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  readonly volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Probe {
  readonly httpGet?: { path: string; port: number | string };
  readonly tcpSocket?: { port: number | string };
}

export interface PodSpec {
  readonly serviceAccountName?: string;
  readonly shareProcessNamespace?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    seccompProfile?: { type: string };
    sysctls?: { name: string; value: string }[];
  };
  readonly containers: Container[];
  readonly volumes?: { name: string; emptyDir?: object; [source: string]: unknown }[];
}

export interface Workload {
  readonly object: ManifestObject;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly pod: PodSpec;
  readonly controller: Container;
  readonly nginx: Container;
}

/** The one Deployment or DaemonSet of an install. */
export function workloadOf(objects: readonly ManifestObject[]): Workload {
  const workloads = objects.filter((o) => o.apiVersion === 'apps/v1' && (o.kind === 'Deployment' || o.kind === 'DaemonSet'));
  if (workloads.length !== 1) throw new Error(`expected one Deployment or DaemonSet, found ${workloads.length}`);
  const object = workloads[0] as ManifestObject;
  const spec = object['spec'] as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
  const container = (name: string): Container => {
    const found = spec.template.spec.containers.find((c) => c.name === name);
    if (found === undefined) throw new Error(`no container ${name}`);
    return found;
  };
  return {
    object,
    labels: spec.template.metadata.labels,
    selector: spec.selector.matchLabels,
    pod: spec.template.spec,
    controller: container('controller'),
    nginx: container('nginx'),
  };
}

/** The objects of `kind` (and apiVersion, when given). */
export function objectsOf(objects: readonly ManifestObject[], kind: string, apiVersion?: string): ManifestObject[] {
  return objects.filter((o) => o.kind === kind && (apiVersion === undefined || o.apiVersion === apiVersion));
}

/** The one object of `kind` named `name` (in `namespace` when given). */
export function objectNamed(objects: readonly ManifestObject[], kind: string, name: string, namespace?: string): ManifestObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? ''}/${name}, found ${found.length}`);
  return found[0] as ManifestObject;
}

/** What `portico controller` makes of a container's args: the options of the real command, or its error. */
export interface ControllerFlags {
  readonly nginxMode: string;
  readonly runtimeDir: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly healthPort: number;
  readonly ingressClass: string;
  readonly controllerClass: string;
  readonly configmap: string;
  readonly publishService?: string;
  readonly electionId: string;
  readonly controllerNamespace: string;
  readonly watchNamespace?: string;
  readonly watchIngressWithoutClass: boolean;
  readonly [option: string]: unknown;
}

/**
 * Parses `args` (the container's: `controller`, then its flags) with the controller command itself, with the
 * environment the pod gives it; rejects with commander's message for an unknown option or a bad value.
 */
export async function parseControllerArgs(args: readonly string[], env: Readonly<Record<string, string>>): Promise<ControllerFlags> {
  const [subcommand, ...flags] = args;
  if (subcommand !== 'controller') throw new Error(`the container runs "${String(subcommand)}", not "controller"`);
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    let errors = '';
    const command = controllerCommand()
      .exitOverride()
      .configureOutput({ writeErr: (text) => (errors += text), writeOut: () => undefined });
    let parsed: ControllerFlags | undefined;
    command.action((options: ControllerFlags) => {
      parsed = options;
    });
    try {
      await command.parseAsync([...flags], { from: 'user' });
    } catch (error) {
      throw new Error(errors.trim() || String(error));
    }
    if (parsed === undefined) throw new Error('the controller command did not run');
    return parsed;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** The environment the pod gives a container: literal values and the downward API fields used here. */
export function environmentOf(container: Container, pod: ManifestObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.namespace': pod.metadata.namespace ?? 'default', 'metadata.name': `${pod.metadata.name}-0` };
  return Object.fromEntries(
    (container.env ?? []).map((variable) => {
      const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
      const value = variable.value ?? (fieldPath === undefined ? undefined : fields[fieldPath]);
      if (value === undefined) throw new Error(`env ${variable.name}: a source these tests do not know`);
      return [variable.name, value];
    }),
  );
}

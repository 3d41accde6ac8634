// The Kubernetes side of status and events, kept thin: read raw objects into the pure modules' types, patch
// Ingress /status, create core v1 Events, list the controller pods and read their nodes.
import { CoreV1Api, NetworkingV1Api, type CoreV1Event, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { entryKey, type CurrentStatus, type ObservedLoadBalancerIngress } from './plan-status-updates.js';
import type { IngressStatusPort } from './ingress-status-sync.js';
import type { IngressProblem } from './problem-events.js';
import type { NodeAddresses, PodPlacement, PublishService } from './publish-addresses.js';

/** Looks an Ingress up as the informer's cache holds it. */
export type RawIngressLookup = (namespace: string, name: string) => KubernetesObject | undefined;

/** Current status from the informer's cache; writes as a JSON patch of the /status subresource (no conflicts). */
export function kubernetesIngressStatusPort(config: KubeConfig, lookup: RawIngressLookup): IngressStatusPort {
  const networking = config.makeApiClient(NetworkingV1Api);
  return {
    current(namespace, name) {
      const raw = lookup(namespace, name);
      return raw === undefined ? undefined : currentStatusOf(raw);
    },
    async write(namespace, name, loadBalancer) {
      // `add` replaces an existing member: /status becomes exactly what we publish, whatever it held before.
      const value = loadBalancer.length === 0 ? { loadBalancer: {} } : { loadBalancer: { ingress: loadBalancer } };
      const written = await networking.patchNamespacedIngressStatus({ name, namespace, body: [{ op: 'add', path: '/status', value }] });
      return written.metadata?.resourceVersion ?? '';
    },
  };
}

export function currentStatusOf(raw: KubernetesObject): CurrentStatus {
  const status = record(record(raw)['status']);
  const entries = list(record(status['loadBalancer'])['ingress']).map((entry) => entryKey(record(entry) as ObservedLoadBalancerIngress));
  return { resourceVersion: raw.metadata?.resourceVersion ?? '', entries };
}

export interface EventSource {
  /** Who reports: the pod name (reportingInstance, source.host). */
  readonly identity: string;
  readonly now?: () => Date;
}

/** Records a problem as a core v1 Warning Event on its Ingress (uid included, so `kubectl describe` shows it). */
export function kubernetesEventRecorder(config: KubeConfig, lookup: RawIngressLookup, source: EventSource): (problem: IngressProblem) => Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  return async (problem) => {
    const { namespace, name } = problem.ingress;
    const raw = lookup(namespace, name);
    if (raw === undefined) return; // deleted since the build: nobody to tell
    const now = source.now?.() ?? new Date();
    const body: CoreV1Event = {
      metadata: { generateName: `${name}.`, namespace },
      involvedObject: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        namespace,
        name,
        ...(raw.metadata?.uid === undefined ? {} : { uid: raw.metadata.uid }),
        ...(raw.metadata?.resourceVersion === undefined ? {} : { resourceVersion: raw.metadata.resourceVersion }),
      },
      type: 'Warning',
      reason: problem.reason,
      // The API caps Event messages at 1 KiB.
      message: problem.line.length > 1024 ? `${problem.line.slice(0, 1021)}...` : problem.line,
      source: { component: 'portico', host: source.identity },
      reportingComponent: 'portico',
      reportingInstance: source.identity,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await core.createNamespacedEvent({ namespace, body });
  };
}

export function publishServiceOf(raw: KubernetesObject): PublishService {
  const spec = record(record(raw)['spec']);
  const status = record(record(raw)['status']);
  const loadBalancer = list(record(status['loadBalancer'])['ingress']).flatMap((value) => {
    const entry = record(value);
    const address = text(entry['ip']) ?? text(entry['hostname']);
    return address === undefined ? [] : [address];
  });
  return {
    type: text(spec['type']) ?? 'ClusterIP',
    loadBalancer,
    externalIPs: list(spec['externalIPs']).flatMap((value) => text(value) ?? []),
    selector: Object.fromEntries(Object.entries(record(spec['selector'])).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : []))),
  };
}

/** Lists the pods a Service selects (none when it selects nothing: a Service without selector). */
export async function listSelectedPods(config: KubeConfig, namespace: string, selector: Readonly<Record<string, string>>): Promise<PodPlacement[]> {
  const labelSelector = Object.entries(selector).map(([key, value]) => `${key}=${value}`).sort().join(',');
  if (labelSelector === '') return [];
  const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  return pods.items.map((pod) => ({
    name: pod.metadata?.name ?? '',
    nodeName: pod.spec?.nodeName,
    isRunning: pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined,
  }));
}

/** Reads each node's addresses; a node that vanished meanwhile is left out. */
export async function readNodeAddresses(config: KubeConfig, names: readonly string[]): Promise<NodeAddresses[]> {
  const core = config.makeApiClient(CoreV1Api);
  const nodes = await Promise.all(names.map((name) => core.readNode({ name }).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)))));
  return nodes.flatMap((node) => {
    if (node === undefined) return [];
    const addresses = node.status?.addresses ?? [];
    const of = (type: string): string[] => addresses.filter((address) => address.type === type).map((address) => address.address);
    return [{ name: node.metadata?.name ?? '', externalIPs: of('ExternalIP'), internalIPs: of('InternalIP') }];
  });
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// The resource types the fake API server serves, with the facts about each that the real server's routing relies on.

/** A served resource type: where it lives in the URL space and how its objects behave. */
export interface ResourceType {
  /** The id used by the fault controls: the plural, qualified by group for non-core groups (kubectl style). */
  readonly id: FakeResource;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Has a /status subresource: the main endpoint ignores status changes and /status changes only status. */
  readonly hasStatus: boolean;
  /** Field-selector labels it accepts beyond metadata.name and metadata.namespace (others answer 400). */
  readonly fieldLabels: readonly string[];
}

/** Resource ids accepted by the fault controls (`closeWatches('ingresses')`, `failNext('secrets', 500)`). */
export type FakeResource =
  | 'ingresses'
  | 'ingressclasses'
  | 'services'
  | 'endpoints'
  | 'secrets'
  | 'configmaps'
  | 'events'
  | 'events.events.k8s.io'
  | 'endpointslices'
  | 'leases'
  | 'pods'
  | 'nodes';

/**
 * Kinds accepted by `get`, `list` and `delete`. `Event` is the core v1 Event; the events.k8s.io one is named by
 * its apiVersion, since both APIs are served and kept apart here.
 */
export type FakeKind =
  | 'Ingress'
  | 'IngressClass'
  | 'Service'
  | 'Endpoints'
  | 'Secret'
  | 'ConfigMap'
  | 'Event'
  | 'events.k8s.io/v1/Event'
  | 'EndpointSlice'
  | 'Lease'
  | 'Pod'
  | 'Node';

const NO_EXTRA_FIELD_LABELS: readonly string[] = [];

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type('ingresses', 'networking.k8s.io', 'ingresses', 'Ingress', { hasStatus: true }),
  type('ingressclasses', 'networking.k8s.io', 'ingressclasses', 'IngressClass', { namespaced: false }),
  type('services', '', 'services', 'Service', { hasStatus: true }),
  type('endpoints', '', 'endpoints', 'Endpoints'),
  type('secrets', '', 'secrets', 'Secret', { fieldLabels: ['type'] }),
  type('configmaps', '', 'configmaps', 'ConfigMap'),
  type('events', '', 'events', 'Event', {
    fieldLabels: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'reason', 'type'],
  }),
  type('events.events.k8s.io', 'events.k8s.io', 'events', 'Event', { fieldLabels: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'reason', 'type'] }),
  type('endpointslices', 'discovery.k8s.io', 'endpointslices', 'EndpointSlice', { fieldLabels: ['addressType'] }),
  type('leases', 'coordination.k8s.io', 'leases', 'Lease'),
  // Pods and Nodes: what the controller reads to publish node addresses for a NodePort Service.
  type('pods', '', 'pods', 'Pod', { hasStatus: true, fieldLabels: ['spec.nodeName', 'status.phase'] }),
  type('nodes', '', 'nodes', 'Node', { namespaced: false, hasStatus: true }),
];

function type(
  id: FakeResource,
  group: string,
  plural: string,
  kind: string,
  options: { namespaced?: boolean; hasStatus?: boolean; fieldLabels?: readonly string[] } = {},
): ResourceType {
  return {
    id,
    group,
    version: 'v1',
    plural,
    kind,
    namespaced: options.namespaced ?? true,
    hasStatus: options.hasStatus ?? false,
    fieldLabels: options.fieldLabels ?? NO_EXTRA_FIELD_LABELS,
  };
}

/** `networking.k8s.io/v1`, or `v1` for the core group. */
export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The qualified name the real server uses in messages and Status details: `ingresses.networking.k8s.io`. */
export function qualifiedNameOf(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** The type served for an object's apiVersion and kind, or undefined when the server does not serve it. */
export function findByApiVersionAndKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((resource) => apiVersionOf(resource) === apiVersion && resource.kind === kind);
}

/** The type a URL segment names, e.g. group 'networking.k8s.io', version 'v1', plural 'ingresses'. */
export function findByPath(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((resource) => resource.group === group && resource.version === version && resource.plural === plural);
}

export function findByKind(kind: FakeKind): ResourceType {
  const found = RESOURCE_TYPES.find((resource) => resource.kind === kind && resource.group === '') ??
    RESOURCE_TYPES.find((resource) => resource.kind === kind || `${apiVersionOf(resource)}/${resource.kind}` === kind);
  if (found === undefined) throw new Error(`fake API server does not serve kind ${kind}`);
  return found;
}

export function findById(id: FakeResource): ResourceType {
  const found = RESOURCE_TYPES.find((resource) => resource.id === id);
  if (found === undefined) throw new Error(`fake API server does not serve resource ${id}`);
  return found;
}

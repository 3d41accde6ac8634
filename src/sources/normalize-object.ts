// Turns a raw Kubernetes object (parsed YAML/JSON, or what the client library returns) into Portico's
// normalized types. Shared by every source, so the manifest directory and the API server mean the same.
import type {
  ConfigMap,
  EndpointPort,
  EndpointSlice,
  EndpointSubset,
  Endpoints,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressPath,
  IngressRule,
  IngressTls,
  KubeObject,
  ObjectKind,
  ObjectMeta,
  PathType,
  Secret,
  Service,
  ServicePort,
  SliceEndpoint,
} from '../model/kube.js';

/** The outcome for one raw object: understood, not ours to read (other kinds), or malformed. */
export type NormalizeResult =
  | { readonly status: 'ok'; readonly object: KubeObject }
  | { readonly status: 'skipped'; readonly kind: string }
  | { readonly status: 'invalid'; readonly kind: ObjectKind; readonly namespace: string; readonly name: string; readonly reason: string };

class InvalidObject extends Error {}

type Raw = Record<string, unknown>;

const kindsByApiVersion: Record<string, readonly string[]> = {
  'networking.k8s.io/v1': ['Ingress', 'IngressClass'],
  v1: ['Service', 'Endpoints', 'Secret', 'ConfigMap'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
};

const clusterScoped = new Set(['IngressClass']);

export const DEFAULT_NAMESPACE = 'default';

/**
 * Normalizes one object. `fallbackKind` serves list items from the client library, which carry no kind.
 */
export function normalizeObject(raw: unknown, fallbackKind?: ObjectKind): NormalizeResult {
  if (!isRecord(raw)) return { status: 'skipped', kind: typeof raw };
  const kind = typeof raw['kind'] === 'string' ? raw['kind'] : fallbackKind;
  const apiVersion = typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : undefined;
  if (kind === undefined) return { status: 'skipped', kind: 'unknown' };
  const known = apiVersion === undefined ? fallbackKind === kind : (kindsByApiVersion[apiVersion] ?? []).includes(kind);
  if (!known) return { status: 'skipped', kind: apiVersion === undefined ? kind : `${apiVersion} ${kind}` };
  const objectKind = kind as ObjectKind;
  const rawMeta = isRecord(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof rawMeta['name'] === 'string' ? rawMeta['name'] : '';
  const rawNamespace = rawMeta['namespace'];
  const namespace = clusterScoped.has(kind) ? '' : typeof rawNamespace === 'string' && rawNamespace !== '' ? rawNamespace : DEFAULT_NAMESPACE;
  try {
    if (rawNamespace !== undefined && rawNamespace !== null && typeof rawNamespace !== 'string') throw new InvalidObject('metadata.namespace must be a string');
    if (name === '') throw new InvalidObject('metadata.name is missing');
    const metadata = normalizeMeta(rawMeta, namespace, name);
    return { status: 'ok', object: normalizers[objectKind](raw, metadata) };
  } catch (error) {
    if (!(error instanceof InvalidObject)) throw error;
    return { status: 'invalid', kind: objectKind, namespace, name, reason: error.message };
  }
}

const normalizers: Record<ObjectKind, (raw: Raw, metadata: ObjectMeta) => KubeObject> = {
  Ingress: normalizeIngress,
  IngressClass: normalizeIngressClass,
  Service: normalizeService,
  Endpoints: normalizeEndpoints,
  EndpointSlice: normalizeEndpointSlice,
  Secret: normalizeSecret,
  ConfigMap: normalizeConfigMap,
};

function normalizeMeta(raw: Raw, namespace: string, name: string): ObjectMeta {
  return {
    namespace,
    name,
    creationTimestamp: normalizeTimestamp(raw['creationTimestamp']),
    annotations: stringMap(raw['annotations'], 'metadata.annotations'),
    labels: stringMap(raw['labels'], 'metadata.labels'),
  };
}

/** List responses carry Date objects, watch events strings; both become RFC 3339 with seconds. */
function normalizeTimestamp(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new InvalidObject('metadata.creationTimestamp is not a timestamp');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function normalizeIngress(raw: Raw, metadata: ObjectMeta): Ingress {
  const spec = record(raw['spec'], 'spec');
  return {
    kind: 'Ingress',
    metadata,
    ingressClassName: optionalString(spec['ingressClassName'], 'spec.ingressClassName'),
    defaultBackend: spec['defaultBackend'] === undefined || spec['defaultBackend'] === null ? undefined : normalizeBackend(spec['defaultBackend'], 'spec.defaultBackend'),
    rules: list(spec['rules'], 'spec.rules').map((rule, i) => normalizeRule(rule, `spec.rules[${i}]`)),
    tls: list(spec['tls'], 'spec.tls').map((tls, i) => normalizeTls(tls, `spec.tls[${i}]`)),
  };
}

function normalizeRule(value: unknown, field: string): IngressRule {
  const rule = record(value, field);
  const http = rule['http'] === undefined || rule['http'] === null ? {} : record(rule['http'], `${field}.http`);
  return {
    host: optionalString(rule['host'], `${field}.host`),
    paths: list(http['paths'], `${field}.http.paths`).map((path, i) => normalizePath(path, `${field}.http.paths[${i}]`)),
  };
}

const pathTypes: readonly string[] = ['Exact', 'Prefix', 'ImplementationSpecific'];

function normalizePath(value: unknown, field: string): IngressPath {
  const path = record(value, field);
  const pathType = path['pathType'];
  if (typeof pathType !== 'string' || !pathTypes.includes(pathType)) {
    throw new InvalidObject(`${field}.pathType must be Exact, Prefix or ImplementationSpecific`);
  }
  const backend = record(path['backend'], `${field}.backend`);
  return {
    path: optionalString(path['path'], `${field}.path`),
    pathType: pathType as PathType,
    backend: backend['service'] === undefined ? undefined : normalizeBackend(backend, `${field}.backend`),
  };
}

function normalizeBackend(value: unknown, field: string): IngressBackend | undefined {
  const backend = record(value, field);
  if (backend['service'] === undefined) return undefined;
  const service = record(backend['service'], `${field}.service`);
  const name = optionalString(service['name'], `${field}.service.name`);
  if (name === undefined || name === '') throw new InvalidObject(`${field}.service.name is missing`);
  const port = record(service['port'], `${field}.service.port`);
  if (typeof port['number'] === 'number') return { serviceName: name, port: { number: port['number'] } };
  if (typeof port['name'] === 'string' && port['name'] !== '') return { serviceName: name, port: { name: port['name'] } };
  throw new InvalidObject(`${field}.service.port needs a number or a name`);
}

function normalizeTls(value: unknown, field: string): IngressTls {
  const tls = record(value, field);
  return {
    hosts: list(tls['hosts'], `${field}.hosts`).map((host, i) => requiredString(host, `${field}.hosts[${i}]`)),
    secretName: optionalString(tls['secretName'], `${field}.secretName`),
  };
}

function normalizeIngressClass(raw: Raw, metadata: ObjectMeta): IngressClass {
  const spec = record(raw['spec'] ?? {}, 'spec');
  return { kind: 'IngressClass', metadata, controller: optionalString(spec['controller'], 'spec.controller') ?? '' };
}

function normalizeService(raw: Raw, metadata: ObjectMeta): Service {
  const spec = record(raw['spec'] ?? {}, 'spec');
  const ports = list(spec['ports'], 'spec.ports').map((value, i): ServicePort => {
    const port = record(value, `spec.ports[${i}]`);
    const number = portNumber(port['port'], `spec.ports[${i}].port`);
    const target = port['targetPort'];
    return {
      name: optionalString(port['name'], `spec.ports[${i}].name`) ?? '',
      port: number,
      targetPort: target === undefined ? number : typeof target === 'number' ? target : requiredString(target, `spec.ports[${i}].targetPort`),
      protocol: optionalString(port['protocol'], `spec.ports[${i}].protocol`) ?? 'TCP',
    };
  });
  return {
    kind: 'Service',
    metadata,
    type: optionalString(spec['type'], 'spec.type') ?? 'ClusterIP',
    clusterIP: optionalString(spec['clusterIP'], 'spec.clusterIP'),
    externalName: optionalString(spec['externalName'], 'spec.externalName'),
    ports,
    sessionAffinity: spec['sessionAffinity'] === 'ClientIP' ? 'ClientIP' : 'None',
  };
}

function normalizeEndpointSlice(raw: Raw, metadata: ObjectMeta): EndpointSlice {
  const endpoints = list(raw['endpoints'], 'endpoints').map((value, i): SliceEndpoint => {
    const endpoint = record(value, `endpoints[${i}]`);
    const conditions = endpoint['conditions'] === undefined ? {} : record(endpoint['conditions'], `endpoints[${i}].conditions`);
    return {
      addresses: list(endpoint['addresses'], `endpoints[${i}].addresses`).map((a, j) => requiredString(a, `endpoints[${i}].addresses[${j}]`)),
      // The API: a nil ready condition means ready.
      ready: conditions['ready'] !== false,
    };
  });
  return {
    kind: 'EndpointSlice',
    metadata,
    serviceName: metadata.labels['kubernetes.io/service-name'] ?? '',
    addressType: optionalString(raw['addressType'], 'addressType') ?? 'IPv4',
    endpoints,
    ports: list(raw['ports'], 'ports').map((p, i) => normalizeEndpointPort(p, `ports[${i}]`)),
  };
}

function normalizeEndpoints(raw: Raw, metadata: ObjectMeta): Endpoints {
  const subsets = list(raw['subsets'], 'subsets').map((value, i): EndpointSubset => {
    const subset = record(value, `subsets[${i}]`);
    const addresses = (key: string) =>
      list(subset[key], `subsets[${i}].${key}`).map((a, j) => requiredString(record(a, `subsets[${i}].${key}[${j}]`)['ip'], `subsets[${i}].${key}[${j}].ip`));
    return {
      readyAddresses: addresses('addresses'),
      notReadyAddresses: addresses('notReadyAddresses'),
      ports: list(subset['ports'], `subsets[${i}].ports`).map((p, j) => normalizeEndpointPort(p, `subsets[${i}].ports[${j}]`)),
    };
  });
  return { kind: 'Endpoints', metadata, subsets };
}

function normalizeEndpointPort(value: unknown, field: string): EndpointPort {
  const port = record(value, field);
  return {
    name: optionalString(port['name'], `${field}.name`) ?? '',
    port: portNumber(port['port'], `${field}.port`),
    protocol: optionalString(port['protocol'], `${field}.protocol`) ?? 'TCP',
  };
}

function normalizeSecret(raw: Raw, metadata: ObjectMeta): Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringMap(raw['data'], 'data'))) {
    data[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  Object.assign(data, stringMap(raw['stringData'], 'stringData'));
  return { kind: 'Secret', metadata, type: optionalString(raw['type'], 'type') ?? 'Opaque', data };
}

function normalizeConfigMap(raw: Raw, metadata: ObjectMeta): ConfigMap {
  return { kind: 'ConfigMap', metadata, data: stringMap(raw['data'], 'data') };
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, field: string): Raw {
  if (!isRecord(value)) throw new InvalidObject(`${field} must be an object`);
  return value;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidObject(`${field} must be a list`);
  return value;
}

function optionalString(value: unknown, field = 'value'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidObject(`${field} must be a string`);
  return value;
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidObject(`${field} must be a string`);
  return value;
}

function portNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidObject(`${field} must be a port number (1-65535)`);
  }
  return value;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const map = record(value, field);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    if (typeof item === 'number' || typeof item === 'boolean') result[key] = String(item);
    else if (typeof item === 'string') result[key] = item;
    else throw new InvalidObject(`${field}.${key} must be a string`);
  }
  return result;
}

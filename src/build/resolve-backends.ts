// Step 4 of the build: from an Ingress backend (Service + port) to an upstream of ready endpoints.
// One upstream per (namespace, Service, port), shared by every path that uses it.
import { isIP } from 'node:net';
import type { DiagnosticCode, Severity } from '../model/diagnostic.js';
import { keyOf, type EndpointPort, type EndpointSlice, type Endpoints, type IngressBackend, type Service, type ServicePort } from '../model/kube.js';
import type { Upstream, UpstreamEndpoint } from '../model/nginx-model.js';
import type { Snapshot } from '../model/snapshot.js';
import { compareText } from '../model/diagnostic.js';

export interface BackendResolution {
  /** Undefined when there is nothing to proxy to: the paths answer 503. */
  readonly upstream: Upstream | undefined;
  readonly problem: { readonly code: DiagnosticCode; readonly severity: Severity; readonly message: string } | undefined;
}

export type BackendResolver = (namespace: string, backend: IngressBackend) => BackendResolution;

/** Indexes the snapshot once; the resolver memoizes per backend, so shared Services cost one lookup. */
export function makeBackendResolver(snapshot: Snapshot): BackendResolver {
  const services = new Map(snapshot.services.map((s) => [keyOf(s.metadata), s]));
  const endpoints = new Map(snapshot.endpoints.map((e) => [keyOf(e.metadata), e]));
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of snapshot.endpointSlices) {
    if (slice.serviceName === '') continue;
    const key = `${slice.metadata.namespace}/${slice.serviceName}`;
    let slices = slicesByService.get(key);
    if (slices === undefined) slicesByService.set(key, (slices = []));
    slices.push(slice);
  }

  const memo = new Map<string, BackendResolution>();
  return (namespace, backend) => {
    const portRef = 'number' in backend.port ? String(backend.port.number) : backend.port.name;
    const memoKey = `${namespace}/${backend.serviceName}/${portRef}`;
    let resolution = memo.get(memoKey);
    if (resolution === undefined) {
      const serviceKey = `${namespace}/${backend.serviceName}`;
      resolution = resolve(services.get(serviceKey), backend, portRef, slicesByService.get(serviceKey), endpoints.get(serviceKey));
      memo.set(memoKey, resolution);
    }
    return resolution;
  };
}

function resolve(
  service: Service | undefined,
  backend: IngressBackend,
  portRef: string,
  slices: readonly EndpointSlice[] | undefined,
  endpoints: Endpoints | undefined,
): BackendResolution {
  if (service === undefined) {
    return unavailable('SERVICE_NOT_FOUND', 'error', `Service ${backend.serviceName} does not exist; its paths answer 503`);
  }
  if (service.type === 'ExternalName') {
    return unavailable('SERVICE_TYPE_UNSUPPORTED', 'error', `Service ${backend.serviceName} is of type ExternalName, which is not enabled; its paths answer 503`);
  }
  const servicePort = service.ports.find((p) => ('number' in backend.port ? p.port === backend.port.number : p.name === backend.port.name));
  if (servicePort === undefined) {
    return unavailable('SERVICE_PORT_NOT_FOUND', 'error', `Service ${backend.serviceName} has no port ${portRef}; its paths answer 503`);
  }
  const ready = slices !== undefined && slices.length > 0 ? readyFromSlices(slices, servicePort) : readyFromEndpoints(endpoints, servicePort);
  const upstream: Upstream = {
    name: `${service.metadata.namespace}_${service.metadata.name}_${servicePort.port}`,
    service: { kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name },
    servicePort: String(servicePort.port),
    endpoints: ready,
    affinity: service.sessionAffinity === 'ClientIP' ? 'client-ip' : 'none',
  };
  const problem =
    ready.length === 0
      ? { code: 'NO_READY_ENDPOINTS' as const, severity: 'warning' as const, message: `Service ${backend.serviceName} port ${portRef} has no ready endpoint; its paths answer 503` }
      : undefined;
  return { upstream, problem };
}

function unavailable(code: DiagnosticCode, severity: Severity, message: string): BackendResolution {
  return { upstream: undefined, problem: { code, severity, message } };
}

/**
 * The endpoint port that serves a Service port carries the Service port's name; its number is the
 * resolved targetPort, so named target ports need no lookup in Pods.
 */
function endpointPortFor(ports: readonly EndpointPort[], servicePort: ServicePort): number | undefined {
  const named = ports.find((p) => p.name === servicePort.name);
  if (named !== undefined) return named.port;
  // A hand-written Endpoints object for a single-port Service may leave the port unnamed.
  if (ports.length === 1 && typeof servicePort.targetPort === 'number') return ports[0]?.port;
  return undefined;
}

function readyFromSlices(slices: readonly EndpointSlice[], servicePort: ServicePort): UpstreamEndpoint[] {
  const found: UpstreamEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = endpointPortFor(slice.ports, servicePort);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints) {
      // The API says the addresses of one endpoint are fungible; the first is the one to use.
      const address = endpoint.addresses[0];
      if (endpoint.ready && address !== undefined && isIP(address) !== 0) found.push({ address, port });
    }
  }
  return sortUnique(found);
}

function readyFromEndpoints(endpoints: Endpoints | undefined, servicePort: ServicePort): UpstreamEndpoint[] {
  const found: UpstreamEndpoint[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = endpointPortFor(subset.ports, servicePort);
    if (port === undefined) continue;
    for (const address of subset.readyAddresses) if (isIP(address) !== 0) found.push({ address, port });
  }
  return sortUnique(found);
}

/** Slices overlap while they are being rewritten: one endpoint appears once. */
function sortUnique(endpoints: UpstreamEndpoint[]): UpstreamEndpoint[] {
  const byKey = new Map(endpoints.map((e) => [`${e.address} ${e.port}`, e]));
  return [...byKey.values()].sort((a, b) => compareText(a.address, b.address) || a.port - b.port);
}

// Step 4 of the build: from an Ingress backend (Service + port) to an upstream of ready endpoints.
// One upstream per (namespace, Service, port, policy), shared by every path that uses it; the policy
// (upstream-policy) comes from the Ingress's annotations.
import { isIP } from 'node:net';
import type { DiagnosticCode, Severity } from '../model/diagnostic.js';
import { keyOf, type EndpointPort, type EndpointSlice, type Endpoints, type IngressBackend, type Service, type ServicePort } from '../model/kube.js';
import type { Upstream, UpstreamEndpoint, UpstreamPolicy } from '../model/nginx-model.js';
import type { Snapshot } from '../model/snapshot.js';
import { compareText } from '../model/diagnostic.js';
import { upstreamPolicySuffix } from './upstream-policy.js';

export interface BackendResolution {
  /** Undefined when there is nothing to proxy to: the paths answer 503. */
  readonly upstream: Upstream | undefined;
  readonly problem: { readonly code: DiagnosticCode; readonly severity: Severity; readonly message: string } | undefined;
}

/** `policy`: the Ingress's (upstreamPolicyOf); undefined for the default upstream. */
export type BackendResolver = (namespace: string, backend: IngressBackend, policy?: UpstreamPolicy) => BackendResolution;

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

  // A backend may name a Service port by number or by name: both find the same port object, which keys its
  // upstreams (one per policy suffix), so its endpoints are gathered and sorted once.
  const upstreams = new Map<ServicePort, Map<string, Upstream>>();
  const readyOf = new Map<ServicePort, UpstreamEndpoint[]>();
  const upstreamOf = (service: Service, servicePort: ServicePort, serviceKey: string, policy: UpstreamPolicy | undefined): Upstream => {
    let ofPort = upstreams.get(servicePort);
    if (ofPort === undefined) upstreams.set(servicePort, (ofPort = new Map()));
    const suffix = upstreamPolicySuffix(policy);
    let upstream = ofPort.get(suffix);
    if (upstream === undefined) {
      let ready = readyOf.get(servicePort);
      if (ready === undefined) {
        const slices = slicesByService.get(serviceKey);
        ready = slices !== undefined && slices.length > 0 ? readyFromSlices(slices, servicePort) : readyFromEndpoints(endpoints.get(serviceKey), servicePort);
        readyOf.set(servicePort, ready);
      }
      const clusterIp = service.clusterIP;
      const toService = policy?.target === 'service' && clusterIp !== undefined && isIP(clusterIp) !== 0;
      upstream = {
        name: `${service.metadata.namespace}_${service.metadata.name}_${servicePort.port}${suffix}`,
        service: { kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name },
        servicePort: String(servicePort.port),
        endpoints: toService ? [{ address: clusterIp, port: servicePort.port }] : ready,
        affinity: service.sessionAffinity === 'ClientIP' ? 'client-ip' : 'none',
        ...(policy === undefined ? {} : { policy }),
      };
      ofPort.set(suffix, upstream);
    }
    return upstream;
  };

  // Keyed namespace → Service → port (number or name; a Map keeps 80 and "80" apart) → policy, so a path
  // whose backend was seen before costs four map lookups and no key string.
  const memo = new Map<string, Map<string, Map<number | string, Map<UpstreamPolicy | undefined, BackendResolution>>>>();
  return (namespace, backend, policy) => {
    let inNamespace = memo.get(namespace);
    if (inNamespace === undefined) memo.set(namespace, (inNamespace = new Map()));
    let ofService = inNamespace.get(backend.serviceName);
    if (ofService === undefined) inNamespace.set(backend.serviceName, (ofService = new Map()));
    const port = 'number' in backend.port ? backend.port.number : backend.port.name;
    let ofPort = ofService.get(port);
    if (ofPort === undefined) ofService.set(port, (ofPort = new Map()));
    let resolution = ofPort.get(policy);
    if (resolution === undefined) {
      const serviceKey = `${namespace}/${backend.serviceName}`;
      resolution = resolve(services.get(serviceKey), backend, String(port), (service, servicePort) => upstreamOf(service, servicePort, serviceKey, policy));
      ofPort.set(policy, resolution);
    }
    return resolution;
  };
}

function resolve(
  service: Service | undefined,
  backend: IngressBackend,
  portRef: string,
  upstreamOf: (service: Service, servicePort: ServicePort) => Upstream,
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
  const upstream = upstreamOf(service, servicePort);
  if (upstream.endpoints.length === 0) {
    return { upstream, problem: { code: 'NO_READY_ENDPOINTS', severity: 'warning', message: `Service ${backend.serviceName} port ${portRef} has no ready endpoint; its paths answer 503` } };
  }
  if (upstream.policy?.target === 'service' && upstream.endpoints[0]?.address !== service.clusterIP) {
    const message = `Service ${backend.serviceName} has no ClusterIP (headless), so service-upstream cannot apply; its endpoints are used`;
    return { upstream, problem: { code: 'SERVICE_TYPE_UNSUPPORTED', severity: 'warning', message } };
  }
  return { upstream, problem: undefined };
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
  // Sorted first, so duplicates are neighbours and are dropped in place, without a key string per endpoint.
  endpoints.sort(compareEndpoints);
  let kept = 0;
  for (const endpoint of endpoints) {
    const previous = endpoints[kept - 1];
    if (previous === undefined || previous.address !== endpoint.address || previous.port !== endpoint.port) endpoints[kept++] = endpoint;
  }
  // A copy of the exact size: the model keeps this list, and the pushed-to array has room to spare.
  return endpoints.slice(0, kept);
}

function compareEndpoints(a: UpstreamEndpoint, b: UpstreamEndpoint): number {
  return compareText(a.address, b.address) || a.port - b.port;
}

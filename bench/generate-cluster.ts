// Generates a realistic, seeded cluster (namespaces, Services, EndpointSlices, Ingresses, TLS Secrets) as a Snapshot.
import type {
  ConfigMap,
  EndpointSlice,
  Ingress,
  IngressClass,
  IngressPath,
  IngressRule,
  IngressTls,
  KubeObject,
  ObjectMeta,
  PathType,
  Secret,
  Service,
  SliceEndpoint,
} from '../src/model/kube.js';
import { snapshotOf, type Snapshot } from '../src/model/snapshot.js';
import { loadCertificatePool, POOL_SIZE } from './load-certificate-pool.js';
import { seededRandom } from '../test/support/seeded-random.js';

export interface ClusterOptions {
  /** Ingress paths served by Portico (Ingresses of other classes come on top). */
  readonly paths: number;
  readonly seed: number;
  /** Mean paths per Ingress; each Ingress gets 1 … 2×mean−1. Default 4. */
  readonly pathsPerIngress?: number;
  /** Hosts (rules) per Ingress; its paths are spread over them. Default 1. */
  readonly hostsPerIngress?: number;
  /** Share of Ingresses whose hosts have TLS. Default 0.5. */
  readonly tlsFraction?: number;
  /** Mean ready endpoints per Service. Default 3. */
  readonly endpointsPerService?: number;
  /** Also the number of Ingresses per namespace, so Services ≈ Ingresses. Default 10. */
  readonly servicesPerNamespace?: number;
}

/** TLS hosts of one namespace that share a Secret: clusters use wildcard or multi-host certificates. */
const HOSTS_PER_TLS_SECRET = 10;
/** Ingresses of another controller: selected out at the first build step, but they cost a pass. */
const FOREIGN_CLASS_SHARE = 0.02;
/** Services whose pods are all unready: their paths answer 503 and their upstream is left out. */
const UNREADY_SERVICE_SHARE = 0.03;

const words = ['api', 'app', 'auth', 'static', 'assets', 'admin', 'graphql', 'v1', 'v2', 'metrics', 'login', 'callback', 'ws', 'img', 'docs', 'health', 'cart', 'search', 'users', 'orders'];
const epoch = Date.UTC(2024, 0, 1);

/**
 * A deterministic cluster: the same options give the same objects in the same order, down to the bytes
 * (the certificate pool is cached on disk, see loadCertificatePool).
 */
export function generateCluster(options: ClusterOptions): Snapshot {
  const pathsPerIngress = options.pathsPerIngress ?? 4;
  const hostsPerIngress = options.hostsPerIngress ?? 1;
  const tlsFraction = options.tlsFraction ?? 0.5;
  const endpointsPerService = options.endpointsPerService ?? 3;
  const servicesPerNamespace = options.servicesPerNamespace ?? 10;
  if (pathsPerIngress < 1 || hostsPerIngress < 1 || servicesPerNamespace < 1) throw new Error('per-Ingress and per-namespace counts must be at least 1');

  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // Ingresses per namespace = servicesPerNamespace; the margin covers the random spread of paths per Ingress.
  const pool = loadCertificatePool(Math.ceil((1.2 * options.paths) / pathsPerIngress / servicesPerNamespace) + 1);

  const objects: KubeObject[] = [ingressClass('portico', 'portico.dev/ingress-controller'), ingressClass('nginx', 'k8s.io/ingress-nginx'), settingsConfigMap()];
  let addressCounter = 0;
  let serviceCounter = 0;
  let hostCounter = 0;
  /** Port of each Service of the current namespace, so Ingresses name ports that exist. */
  let servicePorts: number[] = [];
  let objectCounter = 0;
  const nextAddress = (): string => {
    addressCounter += 1;
    return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
  };
  const meta = (namespace: string, name: string, labels: Record<string, string> = {}): ObjectMeta => {
    objectCounter += 1;
    // One object a minute since the epoch: ages are distinct, so the oldest-wins order is the creation order.
    return { namespace, name, creationTimestamp: new Date(epoch + objectCounter * 60_000).toISOString().replace('.000Z', 'Z'), annotations: {}, labels };
  };

  const addNamespace = (m: number): void => {
    const namespace = `ns-${m}`;
    servicePorts = [];
    for (let s = 0; s < servicesPerNamespace; s += 1) {
      const name = `svc-${s}`;
      const port = random() < 0.7 ? 80 : 8080;
      servicePorts.push(port);
      serviceCounter += 1;
      const isNamedTarget = random() < 0.3;
      const service: Service = {
        kind: 'Service',
        metadata: meta(namespace, name, { app: name }),
        type: 'ClusterIP',
        clusterIP: `10.96.${(serviceCounter >> 8) & 255}.${serviceCounter & 255}`,
        externalName: undefined,
        ports: [{ name: 'http', port, targetPort: isNamedTarget ? 'http' : 8080, protocol: 'TCP' }],
        sessionAffinity: random() < 0.05 ? 'ClientIP' : 'None',
      };
      const readyCount = random() < UNREADY_SERVICE_SHARE ? 0 : Math.max(1, endpointsPerService - 1 + Math.floor(random() * 3));
      const notReadyCount = Math.floor(random() * 3);
      const endpoints: SliceEndpoint[] = [];
      for (let e = 0; e < readyCount; e += 1) endpoints.push({ addresses: [nextAddress()], ready: true });
      for (let e = 0; e < notReadyCount; e += 1) endpoints.push({ addresses: [nextAddress()], ready: false });
      const slice: EndpointSlice = {
        kind: 'EndpointSlice',
        metadata: meta(namespace, `${name}-${suffix(random)}`, { 'kubernetes.io/service-name': name }),
        serviceName: name,
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      };
      objects.push(service, slice);
    }
    // Clusters are full of Secrets nobody routes to; the build indexes them anyway.
    objects.push({ kind: 'Secret', metadata: meta(namespace, 'registry-credentials'), type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': '{"auths":{}}' } } satisfies Secret);
  };

  let remaining = options.paths;
  let ingressIndex = 0;
  let tlsHostsInNamespace = 0;
  const secretsMade = new Set<string>();
  while (remaining > 0) {
    const m = Math.floor(ingressIndex / servicesPerNamespace);
    const inNamespace = ingressIndex % servicesPerNamespace;
    if (inNamespace === 0) {
      addNamespace(m);
      tlsHostsInNamespace = 0;
    }
    const namespace = `ns-${m}`;
    const pathCount = Math.min(remaining, 1 + Math.floor(random() * (2 * pathsPerIngress - 1)));
    remaining -= pathCount;
    ingressIndex += 1;

    // Most paths go to the app's own Service, some to a neighbour (an API, an auth proxy).
    const ownService = inNamespace;
    const hosts = Array.from({ length: Math.min(hostsPerIngress, pathCount) }, () => `svc-${hostCounter++}.ns-${m}.example.com`);
    const rules: IngressRule[] = hosts.map((host, h) => {
      const taken = new Set<string>();
      const paths: IngressPath[] = [];
      for (let j = h; j < pathCount; j += hosts.length) {
        const service = random() < 0.7 ? ownService : Math.floor(random() * servicesPerNamespace);
        paths.push(makePath(j === h && random() < 0.3, taken, service));
      }
      return { host, paths };
    });

    let tls: IngressTls[] = [];
    if (random() < tlsFraction) {
      const secretName = `wildcard-tls-${Math.floor(tlsHostsInNamespace / HOSTS_PER_TLS_SECRET)}`;
      tlsHostsInNamespace += hosts.length;
      tls = [{ hosts, secretName }];
      if (!secretsMade.has(`${namespace}/${secretName}`)) {
        secretsMade.add(`${namespace}/${secretName}`);
        const certificate = pool[m % POOL_SIZE];
        if (certificate === undefined) throw new Error('certificate pool is smaller than POOL_SIZE');
        objects.push({
          kind: 'Secret',
          metadata: meta(namespace, secretName),
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': certificate.certificatePem, 'tls.key': certificate.keyPem },
        } satisfies Secret);
      }
    }

    const isForeign = random() < FOREIGN_CLASS_SHARE;
    const ingress: Ingress = {
      kind: 'Ingress',
      metadata: { ...meta(namespace, `app-${inNamespace}`, { app: `app-${inNamespace}` }), annotations: { 'portico.dev/owner': `team-${m % 7}` } },
      ingressClassName: 'portico',
      defaultBackend: undefined,
      rules,
      tls,
    };
    objects.push(ingress);
    // Another controller's copy of the same app: selected out, and it does not count towards `paths`.
    if (isForeign) objects.push({ ...ingress, metadata: meta(namespace, `app-${inNamespace}-legacy`), ingressClassName: 'nginx', tls: [] });
  }
  return snapshotOf(objects);

  function makePath(isRoot: boolean, taken: Set<string>, service: number): IngressPath {
    const port = random() < 0.8 ? { number: servicePorts[service] ?? 80 } : { name: 'http' };
    const backend = { serviceName: `svc-${service}`, port };
    if (isRoot) {
      taken.add('/');
      return { path: '/', pathType: 'Prefix', backend: { ...backend } };
    }
    const roll = random();
    const pathType: PathType = roll < 0.6 ? 'Prefix' : roll < 0.9 ? 'Exact' : 'ImplementationSpecific';
    let path = `/${pick(words)}${random() < 0.5 ? `/${pick(words)}` : ''}`;
    // Paths of one host must differ, else the build reports a conflict this benchmark does not mean to model.
    for (let n = 2; taken.has(path); n += 1) path = `${path.replace(/-\d+$/, '')}-${n}`;
    taken.add(path);
    return { path: pathType !== 'Exact' && random() < 0.1 ? `${path}/` : path, pathType, backend };
  }
}

function ingressClass(name: string, controller: string): IngressClass {
  return { kind: 'IngressClass', metadata: { namespace: '', name, creationTimestamp: '2023-01-01T00:00:00Z', annotations: {}, labels: {} }, controller };
}

function settingsConfigMap(): ConfigMap {
  return {
    kind: 'ConfigMap',
    metadata: { namespace: 'portico-system', name: 'portico', creationTimestamp: '2023-01-01T00:00:00Z', annotations: {}, labels: {} },
    data: { 'proxy-body-size': '8m', 'proxy-read-timeout': '120' },
  };
}

/** The random five characters Kubernetes appends to generated names. */
function suffix(random: () => number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let text = '';
  for (let i = 0; i < 5; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}


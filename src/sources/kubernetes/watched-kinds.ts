// What the controller watches in the Kubernetes API, kind by kind: the API path its watch uses and the list
// call its informer starts from, with the selectors that keep the traffic to what Portico needs.
import {
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { ObjectKind } from '../../model/kube.js';

export interface WatchScope {
  /** Undefined: every namespace. IngressClasses are cluster-wide in any case. */
  readonly namespace: string | undefined;
  /** The controller ConfigMap, read by name only (there is no reason to watch every ConfigMap). */
  readonly configMap: { readonly namespace: string | undefined; readonly name: string };
}

export interface WatchedKind {
  readonly kind: ObjectKind;
  readonly path: string;
  readonly fieldSelector: string | undefined;
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
}

/**
 * TLS Secrets and the Opaque (or other) Secrets basic auth reads, but never service-account tokens or Helm
 * release records, which are the bulk of a cluster's Secrets and which Portico must not cache. The store
 * then counts a Secret only when one of our Ingresses names it (spec.tls or auth-secret).
 */
export const SECRETS_SELECTOR = 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1';

export function watchedKinds(config: KubeConfig, scope: WatchScope, kinds: readonly ObjectKind[]): WatchedKind[] {
  const core = config.makeApiClient(CoreV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);
  const discovery = config.makeApiClient(DiscoveryV1Api);
  const ns = scope.namespace;
  const configMapNamespace = scope.configMap.namespace ?? ns;
  const configMapSelector = `metadata.name=${scope.configMap.name}`;
  const under = (group: string, plural: string, namespace = ns): string =>
    namespace === undefined ? `${group}/${plural}` : `${group}/namespaces/${namespace}/${plural}`;

  const all: Record<ObjectKind, WatchedKind> = {
    Ingress: {
      kind: 'Ingress',
      path: under('/apis/networking.k8s.io/v1', 'ingresses'),
      fieldSelector: undefined,
      list: () => (ns === undefined ? networking.listIngressForAllNamespaces() : networking.listNamespacedIngress({ namespace: ns })),
    },
    IngressClass: {
      kind: 'IngressClass',
      path: '/apis/networking.k8s.io/v1/ingressclasses',
      fieldSelector: undefined,
      list: () => networking.listIngressClass(),
    },
    Service: {
      kind: 'Service',
      path: under('/api/v1', 'services'),
      fieldSelector: undefined,
      list: () => (ns === undefined ? core.listServiceForAllNamespaces() : core.listNamespacedService({ namespace: ns })),
    },
    EndpointSlice: {
      kind: 'EndpointSlice',
      path: under('/apis/discovery.k8s.io/v1', 'endpointslices'),
      fieldSelector: undefined,
      list: () => (ns === undefined ? discovery.listEndpointSliceForAllNamespaces() : discovery.listNamespacedEndpointSlice({ namespace: ns })),
    },
    Endpoints: {
      kind: 'Endpoints',
      path: under('/api/v1', 'endpoints'),
      fieldSelector: undefined,
      list: () => (ns === undefined ? core.listEndpointsForAllNamespaces() : core.listNamespacedEndpoints({ namespace: ns })),
    },
    Secret: {
      kind: 'Secret',
      path: under('/api/v1', 'secrets'),
      fieldSelector: SECRETS_SELECTOR,
      list: () =>
        ns === undefined
          ? core.listSecretForAllNamespaces({ fieldSelector: SECRETS_SELECTOR })
          : core.listNamespacedSecret({ namespace: ns, fieldSelector: SECRETS_SELECTOR }),
    },
    ConfigMap: {
      kind: 'ConfigMap',
      path: under('/api/v1', 'configmaps', configMapNamespace),
      fieldSelector: configMapSelector,
      list: () =>
        configMapNamespace === undefined
          ? core.listConfigMapForAllNamespaces({ fieldSelector: configMapSelector })
          : core.listNamespacedConfigMap({ namespace: configMapNamespace, fieldSelector: configMapSelector }),
    },
  };
  return kinds.map((kind) => all[kind]);
}

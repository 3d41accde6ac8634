// The Kubernetes source: one supervised informer per watched kind, all feeding ObjectChanges to the store.
import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import type { ObjectKind } from '../../model/kube.js';
import { defaultBackoff, SupervisedInformer, type BackoffOptions, type InformerHandlers } from './supervised-informer.js';
import { watchedKinds, type WatchScope } from './watched-kinds.js';

export interface KubernetesSourceOptions extends WatchScope {
  /** A kubeconfig file; undefined: the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  /** EndpointSlices (default) or, for clusters without them, Endpoints. */
  readonly endpoints: 'EndpointSlice' | 'Endpoints';
  readonly backoff?: BackoffOptions;
}

export function loadKubeConfig(kubeconfig: string | undefined): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfig === undefined) config.loadFromCluster();
  else config.loadFromFile(kubeconfig);
  return config;
}

export class KubernetesSource {
  readonly #informers: SupervisedInformer[];
  readonly config: KubeConfig;

  constructor(options: KubernetesSourceOptions, handlers: InformerHandlers) {
    this.config = loadKubeConfig(options.kubeconfig);
    const watch = new Watch(this.config);
    const kinds: ObjectKind[] = ['IngressClass', 'Ingress', 'Service', options.endpoints, 'Secret', 'ConfigMap'];
    this.#informers = watchedKinds(this.config, options, kinds).map(
      (watched) => new SupervisedInformer(watched, watch, handlers, options.backoff ?? defaultBackoff),
    );
  }

  /** Starts every informer; resolves once each has delivered its first list (nothing is built before). */
  async start(): Promise<void> {
    for (const informer of this.#informers) informer.start();
    await Promise.all(this.#informers.map((informer) => informer.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.stop()));
  }

  /** The raw Ingress as last seen by its informer (with status, uid and resourceVersion); undefined when unknown. */
  ingress(namespace: string, name: string): KubernetesObject | undefined {
    return this.#informers.find((informer) => informer.kind === 'Ingress')?.cached(namespace, name);
  }

  /** Restarts after failures, by kind, for metrics. */
  restarts(): Record<string, number> {
    return Object.fromEntries(this.#informers.map((informer) => [informer.kind, informer.restarts]));
  }
}

// Follows the publish Service (`--publish-service NS/NAME`) with its own informer, selected by name so the
// watch carries that one object, and works out the addresses to publish whenever it changes. For a NodePort
// Service those are the controller pods' nodes, read on demand (refresh()) rather than watched: pods and nodes
// change rarely and a cluster's nodes are many, so a periodic refresh is cheaper than two more informers.
import { CoreV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { defaultBackoff, SupervisedInformer, type BackoffOptions } from '../sources/kubernetes/supervised-informer.js';
import { listSelectedPods, publishServiceOf, readNodeAddresses } from './kubernetes-status-api.js';
import { addressesOfNodes, addressesOfService, hasOtherRunningPod, nodeNamesOf } from './publish-addresses.js';

export interface PublishServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export interface PublishServiceWatchHandlers {
  /** The addresses to publish, sorted; undefined while the Service does not exist. Called after every resolution. */
  readonly onAddresses: (addresses: readonly string[] | undefined) => void;
  /** The informer failed (it restarts itself) or the pods or nodes could not be read (the last addresses stay). */
  readonly onProblem: (message: string, error: unknown) => void;
}

export class PublishServiceWatch {
  readonly #config: KubeConfig;
  readonly #service: PublishServiceRef;
  readonly #handlers: PublishServiceWatchHandlers;
  readonly #informer: SupervisedInformer;
  #queue: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;
  #isSynced = false;

  constructor(config: KubeConfig, service: PublishServiceRef, handlers: PublishServiceWatchHandlers, backoff: BackoffOptions = defaultBackoff) {
    this.#config = config;
    this.#service = service;
    this.#handlers = handlers;
    const core = config.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${service.name}`;
    this.#informer = new SupervisedInformer(
      {
        kind: 'Service',
        path: `/api/v1/namespaces/${service.namespace}/services`,
        fieldSelector,
        list: () => core.listNamespacedService({ namespace: service.namespace, fieldSelector }),
      },
      new Watch(config),
      {
        // The first list's events are taken in one go by start().
        onChanges: () => void (this.#isSynced ? this.refresh() : undefined),
        onFailure: (_kind, error) => handlers.onProblem('the publish Service informer failed; restarting it', error),
        // The raw object is what counts here, and the cache keeps it whatever the normalizer thinks of it.
        onInvalid: () => undefined,
      },
      backoff,
    );
  }

  /** Starts following the Service; resolves once it was listed and its addresses worked out. */
  async start(): Promise<void> {
    this.#informer.start();
    await this.#informer.synced;
    this.#isSynced = true;
    await this.refresh();
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
    await this.#queue;
  }

  /** Works the addresses out again (one pass at a time; a call during a pass runs one more after it). */
  refresh(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const next = this.#queue.then(async () => {
      this.#next = undefined;
      try {
        this.#handlers.onAddresses(await this.#resolve());
      } catch (error) {
        this.#handlers.onProblem('the addresses of the publish Service could not be worked out; the last ones stay', error);
      }
    });
    this.#next = next;
    this.#queue = next;
    return next;
  }

  /**
   * Whether a pod behind the Service other than `self` is running: then another replica goes on publishing and
   * shutdown must not clear the status (a rolling update would otherwise blank every Ingress's address).
   */
  async hasOtherReplica(self: string): Promise<boolean> {
    const raw = this.#informer.cached(this.#service.namespace, this.#service.name);
    if (raw === undefined) return false;
    const pods = await listSelectedPods(this.#config, this.#service.namespace, publishServiceOf(raw).selector);
    return hasOtherRunningPod(pods, self);
  }

  async #resolve(): Promise<readonly string[] | undefined> {
    const raw = this.#informer.cached(this.#service.namespace, this.#service.name);
    if (raw === undefined) return undefined;
    const service = publishServiceOf(raw);
    const direct = addressesOfService(service);
    if (direct.kind === 'addresses') return direct.addresses;
    const pods = await listSelectedPods(this.#config, this.#service.namespace, service.selector);
    return addressesOfNodes(await readNodeAddresses(this.#config, nodeNamesOf(pods)));
  }
}

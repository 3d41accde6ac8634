// Keeps status.loadBalancer.ingress of the served Ingresses equal to the published addresses (and that of our
// rejected ones empty), while leading: one pass at a time (a request during a pass runs one more pass after it), writing only what differs.
import { keyOf, type ObjectRef } from '../model/kube.js';
import { entryKeysOf, planStatusUpdates, type CurrentStatus, type LoadBalancerIngress, type StatusUpdate } from './plan-status-updates.js';

/** The Ingresses' status as the informer's cache has it, and the write (a status subresource patch). */
export interface IngressStatusPort {
  current(namespace: string, name: string): CurrentStatus | undefined;
  /** Resolves with the resourceVersion the write produced. */
  write(namespace: string, name: string, loadBalancer: readonly LoadBalancerIngress[]): Promise<string>;
}

export interface IngressStatusSyncOptions {
  readonly port: IngressStatusPort;
  readonly onWritten?: (update: StatusUpdate) => void;
  readonly onError: (error: unknown, ingress: ObjectRef) => void;
}

/** A write the informer's cache has not shown yet: until it does, the cache's older version is not believed. */
interface PendingWrite {
  readonly basedOn: string;
  readonly entries: readonly string[];
}

export class IngressStatusSync {
  readonly #options: IngressStatusSyncOptions;
  #served: readonly ObjectRef[] = [];
  #rejected: readonly ObjectRef[] = [];
  #addresses: readonly string[] | undefined;
  #isLeader = false;
  #isClosed = false;
  readonly #pending = new Map<string, PendingWrite>();
  #queue: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;

  constructor(options: IngressStatusSyncOptions) {
    this.#options = options;
  }

  /** The Ingresses the last outcome served, and those of ours it rejected. */
  setIngresses(served: readonly ObjectRef[], rejected: readonly ObjectRef[]): void {
    this.#served = served;
    this.#rejected = rejected;
  }

  /** The addresses to publish; undefined while unknown (nothing is written then, nothing cleared). */
  setAddresses(addresses: readonly string[] | undefined): void {
    this.#addresses = addresses;
  }

  setLeader(isLeader: boolean): void {
    this.#isLeader = isLeader;
  }

  /** Brings every served Ingress's status to the addresses (leader only). Resolves when that pass is done. */
  sync(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const next = this.#queue.then(() => {
      this.#next = undefined;
      if (this.#isClosed || !this.#isLeader || this.#addresses === undefined) return;
      return this.#write(this.#addresses);
    });
    this.#next = next;
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when no pass is in progress or queued. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Stops syncing; with `clear`, first empties the status of our Ingresses (shutdown, as leader). */
  async close(options: { readonly clear: boolean }): Promise<void> {
    this.#isClosed = true;
    await this.#queue;
    if (options.clear) await this.#write([]);
  }

  async #write(addresses: readonly string[]): Promise<void> {
    const ours = new Set([...this.#served, ...this.#rejected].map(keyOf));
    for (const key of this.#pending.keys()) if (!ours.has(key)) this.#pending.delete(key);
    const currentOf = (ingress: ObjectRef): CurrentStatus | undefined => this.#current(ingress);
    const updates = [...planStatusUpdates(this.#served, currentOf, addresses), ...planStatusUpdates(this.#rejected, currentOf, [])];
    for (const update of updates) {
      const { namespace, name } = update.ingress;
      try {
        await this.#options.port.write(namespace, name, update.loadBalancer);
        this.#pending.set(keyOf(update.ingress), { basedOn: update.basedOn, entries: entryKeysOf(update.loadBalancer) });
        this.#options.onWritten?.(update);
      } catch (error) {
        this.#options.onError(error, update.ingress);
      }
    }
  }

  #current(ingress: ObjectRef): CurrentStatus | undefined {
    const cached = this.#options.port.current(ingress.namespace, ingress.name);
    const key = keyOf(ingress);
    const pending = this.#pending.get(key);
    if (cached === undefined || pending === undefined) return cached;
    if (cached.resourceVersion === pending.basedOn) return { resourceVersion: cached.resourceVersion, entries: pending.entries };
    this.#pending.delete(key);
    return cached;
  }
}

// Ingress status, the pure part: which Ingresses Portico serves (ours by class, and not rejected), what their
// status.loadBalancer.ingress should say (the published addresses; nothing for ours that were rejected, which
// nginx does not serve), and which of them say something else now (compared sorted).
import { isIP } from 'node:net';
import { selectIngresses } from '../build/select-ingresses.js';
import { validateIngress } from '../build/validate-ingress.js';
import { keyOf, refOf, type ObjectRef } from '../model/kube.js';
import type { ClassSettings } from '../model/settings.js';
import type { Snapshot } from '../model/snapshot.js';

/** One entry of status.loadBalancer.ingress as Portico writes it: an IP or a hostname. */
export type LoadBalancerIngress = { readonly ip: string } | { readonly hostname: string };

/** An entry as read from the API, which may carry more than Portico writes. */
export interface ObservedLoadBalancerIngress {
  readonly ip?: string | undefined;
  readonly hostname?: string | undefined;
  readonly ports?: unknown;
}

/** What an Ingress's status says now, as the informer's cache has it. */
export interface CurrentStatus {
  readonly resourceVersion: string;
  /** Comparable keys of status.loadBalancer.ingress (see entryKey). */
  readonly entries: readonly string[];
}

export interface StatusUpdate {
  readonly ingress: ObjectRef;
  readonly loadBalancer: readonly LoadBalancerIngress[];
  /** The resourceVersion the decision was made on. */
  readonly basedOn: string;
}

export interface ServedIngresses {
  /** Ours by class and not rejected, sorted by namespace/name. */
  readonly served: readonly ObjectRef[];
  /** Ours by class that the build rejected, sorted: their status is emptied, their errors are Rejected Events. */
  readonly rejected: readonly ObjectRef[];
}

/** The same selection and validation the build does, so status covers exactly the Ingresses nginx serves. */
export function servedIngresses(snapshot: Snapshot, classes: ClassSettings): ServedIngresses {
  const served: ObjectRef[] = [];
  const rejected: ObjectRef[] = [];
  for (const ingress of selectIngresses(snapshot.ingresses, snapshot.ingressClasses, classes).selected) {
    (validateIngress(ingress).length === 0 ? served : rejected).push(refOf(ingress));
  }
  return { served: served.sort(compareRefs), rejected: rejected.sort(compareRefs) };
}

/** The status entries for these addresses: IPs as `ip`, names as `hostname`, sorted and without duplicates. */
export function loadBalancerOf(addresses: readonly string[]): LoadBalancerIngress[] {
  return [...new Set(addresses)].sort().map((address) => (isIP(address) === 0 ? { hostname: address } : { ip: address }));
}

/** A comparable string for a status entry; anything beyond ip and hostname (ports) makes it differ from ours. */
export function entryKey(entry: ObservedLoadBalancerIngress): string {
  const parts = [`ip=${entry.ip ?? ''}`, `hostname=${entry.hostname ?? ''}`];
  if (entry.ports !== undefined && entry.ports !== null) parts.push(`ports=${JSON.stringify(entry.ports)}`);
  return parts.join(' ');
}

/** Comparable keys of what Portico would write for these addresses, sorted. */
export function entryKeysOf(loadBalancer: readonly LoadBalancerIngress[]): string[] {
  return loadBalancer.map((entry) => entryKey(entry)).sort();
}

/**
 * The writes that make every served Ingress say `addresses` (an empty list clears). An Ingress whose current
 * status is unknown (not in the cache yet) is left for a later pass; one that already says it is not written.
 */
export function planStatusUpdates(
  served: readonly ObjectRef[],
  currentOf: (ingress: ObjectRef) => CurrentStatus | undefined,
  addresses: readonly string[],
): StatusUpdate[] {
  const loadBalancer = loadBalancerOf(addresses);
  const wanted = entryKeysOf(loadBalancer);
  const updates: StatusUpdate[] = [];
  for (const ingress of served) {
    const current = currentOf(ingress);
    if (current === undefined) continue;
    if (isSameList([...current.entries].sort(), wanted)) continue;
    updates.push({ ingress, loadBalancer, basedOn: current.resourceVersion });
  }
  return updates;
}

function isSameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  const left = keyOf(a);
  const right = keyOf(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

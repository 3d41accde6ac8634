// Leader election, the pure part: given the Lease as read, what this replica writes (create, renew, take over)
// or whether it waits. Expiry is judged on this replica's own clock, from when it first saw the Lease's current
// version, never from the holder's renewTime: replicas' clocks need not agree (client-go does the same).

/** The coordination.k8s.io/v1 Lease fields election uses, normalized. */
export interface LeaseRecord {
  /** '' when nobody holds it (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseTransitions: number;
  readonly resourceVersion: string;
}

/** What is written: the Lease spec. */
export interface LeaseSpec {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date;
  readonly renewTime: Date;
  readonly leaseTransitions: number;
}

/** When this replica first saw a version of the Lease (its own clock, ms). */
export interface LeaseObservation {
  readonly resourceVersion: string;
  readonly atMs: number;
}

export type LeaseDecision =
  | { readonly kind: 'create'; readonly spec: LeaseSpec }
  | { readonly kind: 'update'; readonly spec: LeaseSpec; readonly resourceVersion: string; readonly isTakeover: boolean }
  | { readonly kind: 'wait'; readonly holder: string; readonly expiresInMs: number };

export interface LeaseContext {
  readonly identity: string;
  readonly nowMs: number;
  readonly leaseDurationSeconds: number;
  /** When the current version of the Lease was first seen; undefined: just now. */
  readonly observation: LeaseObservation | undefined;
}

/**
 * Create the Lease when there is none; renew it when we hold it; take it over when it is released (no holder) or
 * its version has not changed for its holder's leaseDurationSeconds; otherwise wait.
 */
export function decideLease(current: LeaseRecord | undefined, context: LeaseContext): LeaseDecision {
  const now = new Date(context.nowMs);
  const duration = context.leaseDurationSeconds;
  if (current === undefined) {
    return { kind: 'create', spec: { holderIdentity: context.identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 } };
  }
  if (current.holderIdentity === context.identity) {
    const spec = { ...specOf(current, context.identity, now), leaseDurationSeconds: duration };
    return { kind: 'update', spec, resourceVersion: current.resourceVersion, isTakeover: false };
  }
  if (current.holderIdentity !== '') {
    const seenAt = context.observation?.resourceVersion === current.resourceVersion ? context.observation.atMs : context.nowMs;
    const expiresInMs = seenAt + current.leaseDurationSeconds * 1000 - context.nowMs;
    if (expiresInMs > 0) return { kind: 'wait', holder: current.holderIdentity, expiresInMs };
  }
  const spec: LeaseSpec = {
    holderIdentity: context.identity,
    leaseDurationSeconds: duration,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: current.leaseTransitions + 1,
  };
  return { kind: 'update', spec, resourceVersion: current.resourceVersion, isTakeover: true };
}

/** The spec that releases a Lease we hold: no holder, so the next replica takes it at its next try. */
export function releasedSpec(current: LeaseRecord, nowMs: number): LeaseSpec {
  const now = new Date(nowMs);
  // leaseDurationSeconds 1, as client-go releases: a replica that still reads it as held waits one second at most.
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.leaseTransitions };
}

function specOf(current: LeaseRecord, identity: string, now: Date): LeaseSpec {
  return {
    holderIdentity: identity,
    leaseDurationSeconds: current.leaseDurationSeconds,
    acquireTime: current.acquireTime ?? now,
    renewTime: now,
    leaseTransitions: current.leaseTransitions,
  };
}

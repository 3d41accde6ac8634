// decideLease: create, renew, wait, take over on release and on expiry measured on our own clock.
import { expect } from 'chai';
import { decideLease, releasedSpec, type LeaseRecord } from '../../../src/election/decide-lease.js';

const held = (holder: string, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: new Date(0),
  renewTime: new Date(0),
  leaseTransitions: 2,
  resourceVersion: '7',
  ...extra,
});

describe('decideLease', () => {
  const base = { identity: 'pod-a', leaseDurationSeconds: 15 };

  it('creates the Lease when there is none, holding it from now', () => {
    const decision = decideLease(undefined, { ...base, nowMs: 5_000, observation: undefined });
    expect(decision).to.deep.equal({
      kind: 'create',
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: new Date(5_000), renewTime: new Date(5_000), leaseTransitions: 0 },
    });
  });

  it('renews a Lease it holds: same acquireTime and transitions, new renewTime, on the version read', () => {
    const decision = decideLease(held('pod-a'), { ...base, nowMs: 9_000, observation: { resourceVersion: '7', atMs: 0 } });
    expect(decision).to.deep.equal({
      kind: 'update',
      resourceVersion: '7',
      isTakeover: false,
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: new Date(0), renewTime: new Date(9_000), leaseTransitions: 2 },
    });
  });

  it("waits while another holder's Lease has changed within its duration, on our clock", () => {
    const decision = decideLease(held('pod-b'), { ...base, nowMs: 20_000, observation: { resourceVersion: '7', atMs: 6_000 } });
    expect(decision).to.deep.equal({ kind: 'wait', holder: 'pod-b', expiresInMs: 1_000 });
  });

  it('counts a version it has not seen before as renewed just now, whatever its renewTime says', () => {
    const decision = decideLease(held('pod-b', { renewTime: new Date(0) }), { ...base, nowMs: 1_000_000, observation: { resourceVersion: '6', atMs: 0 } });
    expect(decision).to.include({ kind: 'wait', expiresInMs: 15_000 });
  });

  it("takes over once the holder's version is unchanged for its leaseDurationSeconds", () => {
    const decision = decideLease(held('pod-b', { leaseDurationSeconds: 10 }), { ...base, nowMs: 10_000, observation: { resourceVersion: '7', atMs: 0 } });
    expect(decision).to.deep.equal({
      kind: 'update',
      resourceVersion: '7',
      isTakeover: true,
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: new Date(10_000), renewTime: new Date(10_000), leaseTransitions: 3 },
    });
  });

  it('takes a released Lease (no holder) at once', () => {
    const decision = decideLease(held(''), { ...base, nowMs: 1_000, observation: undefined });
    expect(decision).to.include({ kind: 'update', isTakeover: true, resourceVersion: '7' });
  });

  it('releases with no holder and a one-second duration, keeping the transition count', () => {
    expect(releasedSpec(held('pod-a'), 3_000)).to.deep.equal({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: new Date(3_000),
      renewTime: new Date(3_000),
      leaseTransitions: 2,
    });
  });
});

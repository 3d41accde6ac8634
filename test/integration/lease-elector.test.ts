// Leader election against the fixture API server (real client library): one replica leads, another takes over
// after a release and after expiry (on its own clock), racing replicas settle through 409, and a leader that
// cannot renew steps down before others may take over.
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { kubernetesLeaseClient } from '../../src/election/kubernetes-lease-client.js';
import { LeaseElector, type ElectionClock, type LeaseClient } from '../../src/election/lease-elector.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-api-server/fake-api-server.js';

/** A clock the test sets by hand; sleeping is not used by the step-by-step tests. */
class ManualClock implements ElectionClock {
  time = 1_000_000;
  now(): number {
    return this.time;
  }
  sleep(): Promise<void> {
    return Promise.reject(new Error('the manual clock does not sleep'));
  }
}

describe('LeaseElector (fixture API server, real client library)', () => {
  let api: FakeApiServer;
  let config: KubeConfig;
  let changes: string[];

  const elector = (identity: string, clock: ElectionClock, client: LeaseClient = kubernetesLeaseClient(config, 'portico-system', 'portico-leader')) =>
    new LeaseElector({
      identity,
      client,
      clock,
      onLeadershipChange: (isLeader) => changes.push(`${identity} ${isLeader ? 'leads' : 'follows'}`),
      onError: () => undefined,
    });
  const lease = () => api.get('Lease', 'portico-system', 'portico-leader')?.['spec'] as { holderIdentity?: string; leaseTransitions?: number; renewTime?: string } | undefined;

  beforeEach(async () => {
    api = await startFakeApiServer();
    config = new KubeConfig();
    config.loadFromString(api.kubeconfig());
    changes = [];
  });

  afterEach(async () => {
    await api.close();
  });

  it('one replica leads and renews; the other waits', async () => {
    const clockA = new ManualClock();
    const clockB = new ManualClock();
    const a = elector('pod-a', clockA);
    const b = elector('pod-b', clockB);
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    expect(lease()).to.include({ holderIdentity: 'pod-a', leaseTransitions: 0 });
    const firstRenewal = lease()?.renewTime;
    clockA.time += 5_000;
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    expect(lease()?.renewTime).to.not.equal(firstRenewal);
    expect(b.holder).to.equal('pod-a');
    expect(changes).to.deep.equal(['pod-a leads']);
  });

  it('another replica takes over at its next try after the leader releases', async () => {
    const a = elector('pod-a', new ManualClock());
    const b = elector('pod-b', new ManualClock());
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    await a.release();
    expect(lease()?.holderIdentity).to.equal('');
    expect(await b.tryAcquireOrRenew()).to.equal(true);
    expect(lease()).to.include({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    expect(changes).to.deep.equal(['pod-a leads', 'pod-a follows', 'pod-b leads']);
  });

  it('another replica takes over once the Lease went unrenewed for its duration on its own clock; the old leader steps down', async () => {
    const clockA = new ManualClock();
    // B's clock is far from A's: only elapsed time on B's own clock matters.
    const clockB = new ManualClock();
    clockB.time = 5_000_000_000;
    const a = elector('pod-a', clockA);
    const b = elector('pod-b', clockB);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clockB.time += 14_999;
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clockB.time += 1;
    expect(await b.tryAcquireOrRenew()).to.equal(true);
    expect(lease()).to.include({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    clockA.time += 20_000;
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(changes).to.deep.equal(['pod-a leads', 'pod-b leads', 'pod-a follows']);
  });

  it('a renewal seen by the waiting replica starts its wait again', async () => {
    const clockA = new ManualClock();
    const clockB = new ManualClock();
    const a = elector('pod-a', clockA);
    const b = elector('pod-b', clockB);
    await a.tryAcquireOrRenew();
    await b.tryAcquireOrRenew();
    clockA.time += 5_000;
    await a.tryAcquireOrRenew();
    clockB.time += 10_000;
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clockB.time += 14_999;
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clockB.time += 1;
    expect(await b.tryAcquireOrRenew()).to.equal(true);
  });

  it('of two replicas racing for a missing Lease, exactly one wins (the other gets 409)', async () => {
    const a = elector('pod-a', new ManualClock());
    const b = elector('pod-b', new ManualClock());
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect(results.filter((isLeader) => isLeader)).to.have.length(1);
    expect(lease()?.holderIdentity).to.equal(results[0] === true ? 'pod-a' : 'pod-b');
    expect(api.requests.filter((r) => r.resource === 'leases' && r.status === 409)).to.have.length(1);
  });

  it('a leader that cannot reach the API keeps leading until the renew deadline (10 s), then steps down', async () => {
    const clock = new ManualClock();
    const real = kubernetesLeaseClient(config, 'portico-system', 'portico-leader');
    let isBroken = false;
    const broken = <T>(call: () => Promise<T>): Promise<T> => (isBroken ? Promise.reject(new Error('connection refused')) : call());
    const client: LeaseClient = {
      read: () => broken(() => real.read()),
      create: (spec) => broken(() => real.create(spec)),
      update: (spec, version) => broken(() => real.update(spec, version)),
    };
    const a = elector('pod-a', clock, client);
    await a.tryAcquireOrRenew();
    isBroken = true;
    clock.time += 9_999;
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    clock.time += 1;
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(changes).to.deep.equal(['pod-a leads', 'pod-a follows']);
  });

  it('runs on its own: the follower takes over within its retry interval once the leader stops and releases', async () => {
    const timings = { leaseDurationSeconds: 15, renewIntervalMs: 100, retryIntervalMs: 50, renewDeadlineMs: 10_000 };
    const make = (identity: string) =>
      new LeaseElector({ identity, client: kubernetesLeaseClient(config, 'portico-system', 'portico-leader'), timings, onLeadershipChange: (isLeader) => changes.push(`${identity} ${isLeader ? 'leads' : 'follows'}`) });
    const a = make('pod-a');
    a.start();
    await eventually(() => a.isLeader);
    const b = make('pod-b');
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.isLeader).to.equal(false);
    const released = Date.now();
    await a.release();
    await eventually(() => b.isLeader);
    expect(Date.now() - released).to.be.lessThan(1_000);
    await b.release();
    expect(lease()?.holderIdentity).to.equal('');
    expect(changes).to.deep.equal(['pod-a leads', 'pod-a follows', 'pod-b leads', 'pod-b follows']);
  });
});

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

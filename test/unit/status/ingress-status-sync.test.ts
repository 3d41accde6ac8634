// IngressStatusSync: leader only, writes only what differs, trusts its own write until the cache shows it,
// one pass at a time, clears on close when asked.
import { expect } from 'chai';
import type { ObjectRef } from '../../../src/model/kube.js';
import { IngressStatusSync, type IngressStatusPort } from '../../../src/status/ingress-status-sync.js';
import { entryKey, type CurrentStatus, type LoadBalancerIngress } from '../../../src/status/plan-status-updates.js';

const ref = (name: string): ObjectRef => ({ kind: 'Ingress', namespace: 'default', name });

/** A cache and an API in one: writes land in `api`; the cache catches up only when the test says so. */
class FakeStatusPort implements IngressStatusPort {
  readonly api = new Map<string, { resourceVersion: number; loadBalancer: readonly LoadBalancerIngress[] }>();
  readonly cache = new Map<string, CurrentStatus>();
  readonly writes: string[] = [];
  onWrite: () => void = () => undefined;
  #version = 10;

  add(name: string, loadBalancer: readonly LoadBalancerIngress[] = []): void {
    this.api.set(name, { resourceVersion: this.#version++, loadBalancer });
    this.catchUp();
  }

  current(_namespace: string, name: string): CurrentStatus | undefined {
    return this.cache.get(name);
  }

  async write(_namespace: string, name: string, loadBalancer: readonly LoadBalancerIngress[]): Promise<string> {
    this.onWrite();
    await new Promise((resolve) => setImmediate(resolve));
    const resourceVersion = this.#version++;
    this.api.set(name, { resourceVersion, loadBalancer });
    this.writes.push(`${name}=${loadBalancer.map((e) => ('ip' in e ? e.ip : e.hostname)).join(',')}`);
    return String(resourceVersion);
  }

  catchUp(): void {
    for (const [name, object] of this.api) {
      this.cache.set(name, { resourceVersion: String(object.resourceVersion), entries: object.loadBalancer.map((entry) => entryKey(entry)) });
    }
  }
}

describe('IngressStatusSync', () => {
  let port: FakeStatusPort;
  let sync: IngressStatusSync;

  beforeEach(() => {
    port = new FakeStatusPort();
    port.add('a');
    port.add('b', [{ ip: '192.0.2.1' }]);
    sync = new IngressStatusSync({ port, onError: (error) => expect.fail(String(error)) });
    sync.setIngresses([ref('a'), ref('b')], []);
    sync.setAddresses(['192.0.2.1']);
  });

  it('writes nothing unless leading', async () => {
    await sync.sync();
    expect(port.writes).to.deep.equal([]);
  });

  it('writes nothing while the addresses are unknown', async () => {
    sync.setLeader(true);
    sync.setAddresses(undefined);
    await sync.sync();
    expect(port.writes).to.deep.equal([]);
  });

  it('writes the Ingresses that differ, once, even before the cache shows the write', async () => {
    sync.setLeader(true);
    await sync.sync();
    await sync.sync();
    expect(port.writes).to.deep.equal(['a=192.0.2.1']);
    port.catchUp();
    await sync.sync();
    expect(port.writes).to.deep.equal(['a=192.0.2.1']);
  });

  it('believes the cache again once it moves past the version the write was based on', async () => {
    sync.setLeader(true);
    await sync.sync();
    // Someone else empties the status after our write: the cache shows a newer version, which is the truth.
    port.api.set('a', { resourceVersion: 99, loadBalancer: [] });
    port.catchUp();
    await sync.sync();
    expect(port.writes).to.deep.equal(['a=192.0.2.1', 'a=192.0.2.1']);
  });

  it('runs one pass at a time and folds requests made during a pass into one more', async () => {
    sync.setLeader(true);
    const passes = [sync.sync()];
    let passesStarted = 0;
    port.onWrite = () => {
      if (passesStarted++ > 0) return;
      sync.setAddresses(['192.0.2.7']);
      passes.push(sync.sync(), sync.sync(), sync.sync());
    };
    await passes[0];
    expect(passes).to.have.length(4);
    await Promise.all(passes);
    expect(port.writes).to.deep.equal(['a=192.0.2.1', 'a=192.0.2.7', 'b=192.0.2.7']);
    // The three requests made during the first pass share one pass.
    expect(passes[1]).to.equal(passes[3]);
  });

  it('empties the status of ours that were rejected (nginx does not serve them)', async () => {
    sync.setLeader(true);
    port.add('bad', [{ ip: '192.0.2.1' }]);
    port.add('bad-and-empty');
    sync.setIngresses([ref('a')], [ref('bad'), ref('bad-and-empty')]);
    await sync.sync();
    expect(port.writes).to.deep.equal(['a=192.0.2.1', 'bad=']);
  });

  it('clears the served Ingresses on close when asked, and writes nothing after', async () => {
    sync.setLeader(true);
    await sync.sync();
    await sync.close({ clear: true });
    await sync.sync();
    expect(port.writes).to.deep.equal(['a=192.0.2.1', 'a=', 'b=']);
  });
});

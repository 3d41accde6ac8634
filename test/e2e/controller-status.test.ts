// Two controller replicas end to end against the fixture API server, each with a real nginx: the elected leader
// writes Ingress status (once per served Ingress, never on a rebuild that changes nothing) and one Event per
// problem; the follower writes nothing; on shutdown the leader clears status (unless another replica runs on)
// and releases the Lease, and the other replica takes over at once.
import { expect } from 'chai';
import { runController, type PublishSource, type RunningController } from '../../src/controller/run-controller.js';
import { loopbackCompileOptions, rebuildCount, silentLogger } from '../support/controller-fixture.js';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../support/fake-api-server/fake-api-server.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingress = (name: string, path = '/', className = 'portico') => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default' },
  spec: { ingressClassName: className, rules: [{ host: `${name}.test`, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
});

const slice = (port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [{ port }],
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
});

const LEADER_ADDRESS = '192.0.2.10';
const FOLLOWER_ADDRESS = '198.51.100.9';

describe('controller replicas: leader election, Ingress status and Events (fixture API server)', function () {
  this.timeout(60000);
  let api: FakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let first: RunningController | undefined;
  let second: RunningController | undefined;

  const start = async (identity: string, publish: PublishSource): Promise<RunningController> => {
    const [http, https, health] = (await freePorts(3)) as [number, number, number];
    const controller = await runController(
      {
        source: {
          kind: 'kubernetes',
          kubeconfig,
          watchNamespace: undefined,
          duties: {
            publish,
            updateStatusOnShutdown: true,
            election: {
              leaseName: 'portico-leader',
              namespace: 'portico-system',
              identity,
              timings: { leaseDurationSeconds: 15, renewIntervalMs: 1_000, retryIntervalMs: 100, renewDeadlineMs: 10_000 },
            },
          },
        },
        nginx: { mode: 'spawn', binary: nginxBinary() },
        compile: loopbackCompileOptions(`${dir}/${identity}`, http, https),
        healthPort: health,
        healthAddress: '127.0.0.1',
      },
      silentLogger(),
    );
    await controller.ready;
    return controller;
  };

  const addressesOf = (name: string): string[] => {
    const status = api.get('Ingress', 'default', name)?.['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined;
    return (status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? '');
  };
  const isStatusWrite = (r: RecordedRequest): boolean => r.resource === 'ingresses' && r.isStatus && (r.method === 'PATCH' || r.method === 'PUT');
  const statusWrites = (): string[] =>
    api.requests.filter(isStatusWrite).map((r) => {
      const value = (r.body as { value?: { loadBalancer?: { ingress?: { ip?: string }[] } } }[])[0]?.value;
      return `${r.path.split('/')[7] ?? ''} [${(value?.loadBalancer?.ingress ?? []).map((entry) => entry.ip).join(',')}] ${r.status}`;
    });
  const eventsAbout = (name: string) =>
    api.list('Event', 'default').filter((event) => (event['involvedObject'] as { name?: string } | undefined)?.name === name);
  const rebuilds = (controller: RunningController): Promise<number> => rebuildCount(controller.healthPort);

  before(async () => {
    api = await startFakeApiServer();
    dir = await makeTempDir('portico-e2e-status-');
    kubeconfig = await api.writeKubeconfig(dir);
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    api.apply(slice(9001));
    api.apply(ingress('web'));
    api.apply(ingress('bad', 'no-slash'));
    api.apply(ingress('other', '/', 'nginx'));
    api.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'portico', namespace: 'portico-system' },
      spec: { type: 'LoadBalancer', selector: { app: 'portico' }, ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: LEADER_ADDRESS }] } },
    });
    first = await start('portico-a', { kind: 'service', namespace: 'portico-system', name: 'portico' });
    await waitFor(() => addressesOf('web').join() === LEADER_ADDRESS);
    await first.idle();
  });

  after(async () => {
    await first?.stop();
    await second?.stop();
    await api?.close();
    await removeDir(dir);
  });

  it('writes the status of each served Ingress once, from the publish Service; not the rejected one, not another class', () => {
    expect(first?.isLeader()).to.equal(true);
    expect(statusWrites()).to.deep.equal([`web [${LEADER_ADDRESS}] 200`]);
    expect(addressesOf('bad')).to.deep.equal([]);
    expect(addressesOf('other')).to.deep.equal([]);
  });

  it('records one Warning Event for the rejected Ingress, with its uid', () => {
    const events = eventsAbout('bad');
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ type: 'Warning', reason: 'Rejected' });
    expect(String(events[0]?.['message'])).to.match(/^error INVALID_PATH Ingress default\/bad spec\.rules\[0\]\.http\.paths\[0\]\.path: rejected: /);
    expect(events[0]?.['involvedObject']).to.include({ kind: 'Ingress', namespace: 'default', name: 'bad', uid: api.get('Ingress', 'default', 'bad')?.metadata.uid });
    expect(eventsAbout('web')).to.deep.equal([]);
  });

  it('writes no status and no Event again on a rebuild that changes neither', async () => {
    const leader = first as RunningController;
    const before = await rebuilds(leader);
    api.apply(slice(9002));
    await waitFor(async () => (await rebuilds(leader)) > before);
    await leader.idle();
    expect(statusWrites()).to.have.length(1);
    expect(eventsAbout('bad')).to.have.length(1);
  });

  it('a second replica follows: it writes neither status nor Events', async () => {
    second = await start('portico-b', { kind: 'addresses', addresses: [FOLLOWER_ADDRESS] });
    api.apply(ingress('more'));
    await waitFor(() => addressesOf('more').join() === LEADER_ADDRESS);
    await Promise.all([first?.idle(), second.idle()]);
    expect(second.isLeader()).to.equal(false);
    expect(statusWrites()).to.deep.equal([`web [${LEADER_ADDRESS}] 200`, `more [${LEADER_ADDRESS}] 200`]);
    expect(eventsAbout('bad')).to.have.length(1);
  });

  it('empties the status of an Ingress once it is rejected, and writes it again once it is fixed; one Event', async () => {
    const before = statusWrites().length;
    // An edit of the spec, as kubectl makes it: the status stays (the fixture's apply would replace it too).
    const edit = (path: string) => api.apply({ ...ingress('more', path), status: api.get('Ingress', 'default', 'more')?.['status'] });
    edit('no-slash');
    await waitFor(() => addressesOf('more').length === 0);
    edit('/');
    await waitFor(() => addressesOf('more').join() === LEADER_ADDRESS);
    await Promise.all([first?.idle(), second?.idle()]);
    expect(statusWrites().slice(before)).to.deep.equal(['more [] 200', `more [${LEADER_ADDRESS}] 200`]);
    expect(eventsAbout('more').map((event) => event['reason'])).to.deep.equal(['Rejected']);
  });

  it('a leader that stops while another replica runs leaves status alone, releases the Lease, and the other takes over at once', async () => {
    // The second replica, as a pod behind the publish Service.
    api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'portico-b', namespace: 'portico-system', labels: { app: 'portico' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'portico', image: 'portico' }] },
      status: { phase: 'Running' },
    });
    const before = statusWrites().length;
    const stopped = Date.now();
    await first?.stop();
    first = undefined;
    await waitFor(() => second?.isLeader() === true);
    expect(Date.now() - stopped).to.be.lessThan(5_000);
    await waitFor(() => addressesOf('web').join() === FOLLOWER_ADDRESS && addressesOf('more').join() === FOLLOWER_ADDRESS);
    await second?.idle();
    // No clearing by the old leader: only the new leader's writes.
    expect(statusWrites().slice(before)).to.deep.equal([`more [${FOLLOWER_ADDRESS}] 200`, `web [${FOLLOWER_ADDRESS}] 200`]);
    const lease = api.get('Lease', 'portico-system', 'portico-leader')?.['spec'] as { holderIdentity?: string; leaseTransitions?: number };
    expect(lease).to.include({ holderIdentity: 'portico-b', leaseTransitions: 1 });
    // The new leader knew of the problem already: no second Event.
    expect(eventsAbout('bad')).to.have.length(1);
  });

  it('the last replica clears the status of its Ingresses on shutdown', async () => {
    const before = statusWrites().length;
    await second?.stop();
    second = undefined;
    expect(addressesOf('web')).to.deep.equal([]);
    expect(addressesOf('more')).to.deep.equal([]);
    expect(statusWrites().slice(before)).to.deep.equal(['more [] 200', 'web [] 200']);
    expect((api.get('Lease', 'portico-system', 'portico-leader')?.['spec'] as { holderIdentity?: string }).holderIdentity).to.equal('');
  });
});

// PublishServiceWatch against the fixture API server (real client library): the load balancer's addresses,
// else external IPs, else for a NodePort Service the nodes of the running controller pods; follows changes;
// tells whether another replica runs on.
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { PublishServiceWatch } from '../../src/status/publish-service-watch.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-api-server/fake-api-server.js';

const publishService = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'portico', namespace: 'portico-system' },
  spec: { selector: { app: 'portico' }, ports: [{ port: 80 }], ...spec },
  status,
});

const pod = (name: string, nodeName: string, phase = 'Running', labels: Record<string, string> = { app: 'portico' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'portico-system', labels },
  spec: { nodeName, containers: [{ name: 'portico', image: 'portico' }] },
  status: { phase },
});

const node = (name: string, addresses: { type: string; address: string }[]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses } });

describe('PublishServiceWatch (fixture API server, real client library)', () => {
  let api: FakeApiServer;
  let watch: PublishServiceWatch | undefined;
  let seen: (readonly string[] | undefined)[];
  let problems: string[];

  const start = async (): Promise<PublishServiceWatch> => {
    const config = new KubeConfig();
    config.loadFromString(api.kubeconfig());
    watch = new PublishServiceWatch(config, { namespace: 'portico-system', name: 'portico' }, {
      onAddresses: (addresses) => seen.push(addresses),
      onProblem: (message, error) => problems.push(`${message}: ${String(error)}`),
    });
    await watch.start();
    return watch;
  };
  const latest = () => seen[seen.length - 1];

  beforeEach(async () => {
    api = await startFakeApiServer();
    seen = [];
    problems = [];
    watch = undefined;
  });

  afterEach(async () => {
    await watch?.stop();
    await api.close();
  });

  it("publishes the load balancer's addresses, and follows the Service as they change", async () => {
    api.apply(publishService({ type: 'LoadBalancer', externalIPs: ['198.51.100.1'] }, { loadBalancer: { ingress: [{ ip: '192.0.2.10' }, { hostname: 'lb.example.com' }] } }));
    await start();
    expect(latest()).to.deep.equal(['192.0.2.10', 'lb.example.com']);
    api.apply(publishService({ type: 'LoadBalancer', externalIPs: ['198.51.100.1'] }, { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } }));
    await eventually(() => latest()?.join() === '192.0.2.11');
    // Only the one Service is watched, selected by name.
    const watches = api.requests.filter((r) => r.resource === 'services' && r.verb === 'watch');
    expect(watches.every((r) => r.query['fieldSelector'] === 'metadata.name=portico' && r.path === '/api/v1/namespaces/portico-system/services')).to.equal(true);
  });

  it('falls back to external IPs, and reports undefined once the Service is gone', async () => {
    api.apply(publishService({ type: 'LoadBalancer', externalIPs: ['198.51.100.2', '198.51.100.1'] }));
    await start();
    expect(latest()).to.deep.equal(['198.51.100.1', '198.51.100.2']);
    api.delete('Service', 'portico-system', 'portico');
    await eventually(() => seen.length > 1 && latest() === undefined);
  });

  it("publishes a NodePort Service's node addresses: the running controller pods' nodes, ExternalIP else InternalIP", async () => {
    api.apply(publishService({ type: 'NodePort' }));
    api.apply(pod('portico-a', 'node-1'));
    api.apply(pod('portico-b', 'node-2'));
    api.apply(pod('portico-old', 'node-3', 'Succeeded'));
    api.apply(pod('other', 'node-4', 'Running', { app: 'other' }));
    api.apply(node('node-1', [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '203.0.113.1' }]));
    api.apply(node('node-2', [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'node-2' }]));
    api.apply(node('node-3', [{ type: 'ExternalIP', address: '203.0.113.3' }]));
    api.apply(node('node-4', [{ type: 'ExternalIP', address: '203.0.113.4' }]));
    const started = await start();
    expect(latest()).to.deep.equal(['10.0.0.2', '203.0.113.1']);
    const podLists = api.requests.filter((r) => r.resource === 'pods');
    expect(podLists.map((r) => `${r.verb} ${r.query['labelSelector'] ?? ''}`)).to.deep.equal(['list app=portico']);
    // Pods move: a refresh (periodic in the controller) reads them again.
    api.delete('Pod', 'portico-system', 'portico-b');
    await started.refresh();
    expect(latest()).to.deep.equal(['203.0.113.1']);
    expect(problems).to.deep.equal([]);
  });

  it('tells whether another replica runs on: a running pod behind the Service other than itself', async () => {
    api.apply(publishService({ type: 'LoadBalancer' }));
    api.apply(pod('portico-a', 'node-1'));
    const started = await start();
    expect(await started.hasOtherReplica('portico-a')).to.equal(false);
    api.apply(pod('portico-b', 'node-1', 'Pending'));
    expect(await started.hasOtherReplica('portico-a')).to.equal(false);
    api.apply(pod('portico-b', 'node-1', 'Running'));
    expect(await started.hasOtherReplica('portico-a')).to.equal(true);
  });
});

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

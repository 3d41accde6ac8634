// KubernetesSource against the fixture API server, with the real client library: initial sync, changes,
// TLS-only Secrets, the settings ConfigMap by name, restarts after failures, and relists after 410 Gone.
import { expect } from 'chai';
import { defaultClassSettings } from '../../src/model/settings.js';
import { KubernetesSource } from '../../src/sources/kubernetes/kubernetes-source.js';
import { ObjectStore } from '../../src/store/object-store.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-api-server/fake-api-server.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingress = (name: string, host: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default' },
  spec: { ingressClassName: 'portico', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
});

describe('KubernetesSource (fixture API server, real client library)', () => {
  let api: FakeApiServer;
  let dir: string;
  let source: KubernetesSource;
  let store: ObjectStore;
  let failures: string[];

  const hosts = (): string[] => store.snapshot().ingresses.map((i) => i.rules[0]?.host ?? '').sort();

  beforeEach(async () => {
    api = await startFakeApiServer();
    dir = await makeTempDir('portico-kube-');
    api.apply(ingress('a', 'a.test'));
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    api.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ port: 8080 }],
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'password', namespace: 'default' }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sa-token', namespace: 'default' }, type: 'kubernetes.io/service-account-token', data: { token: 'aHVudGVyMg==' } });
    api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.web.v1', namespace: 'default' }, type: 'helm.sh/release.v1', data: { release: 'aHVudGVyMg==' } });
    api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portico', namespace: 'portico-system' }, data: { 'proxy-read-timeout': '30' } });
    api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'default' }, data: {} });
    store = new ObjectStore({ classes: defaultClassSettings, settingsSource: { namespace: undefined, name: 'portico' } });
    failures = [];
    source = new KubernetesSource(
      {
        kubeconfig: await api.writeKubeconfig(dir),
        namespace: undefined,
        configMap: { namespace: undefined, name: 'portico' },
        endpoints: 'EndpointSlice',
        backoff: { initialMs: 50, maxMs: 200, random: () => 0.5 },
      },
      {
        onChanges: (changes) => changes.forEach((change) => store.apply(change)),
        onFailure: (kind, error) => failures.push(`${kind}: ${String(error)}`),
        onInvalid: () => undefined,
      },
    );
    await source.start();
  });

  afterEach(async () => {
    await source.stop();
    await api.close();
    await removeDir(dir);
  });

  it('has every watched kind in the store once start resolves', () => {
    const snapshot = store.snapshot();
    expect(hosts()).to.deep.equal(['a.test']);
    expect(snapshot.services.map((s) => s.metadata.name)).to.deep.equal(['web']);
    expect(snapshot.endpointSlices[0]?.endpoints[0]?.addresses).to.deep.equal(['10.0.0.1']);
    expect(snapshot.configMaps.map((c) => c.metadata.name)).to.deep.equal(['portico']);
  });

  it('never asks for, nor keeps, service-account tokens or Helm release Secrets (TLS and Opaque ones come)', () => {
    expect(store.snapshot().secrets.map((s) => s.metadata.name).sort()).to.deep.equal(['password', 'tls']);
    const secretRequests = api.requests.filter((r) => r.resource === 'secrets');
    expect(secretRequests.length).to.be.greaterThan(0);
    expect(secretRequests.every((r) => r.query['fieldSelector'] === 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1')).to.equal(true);
  });

  it('follows creates, updates and deletes', async () => {
    api.apply(ingress('b', 'b.test'));
    await waitFor(() => hosts().includes('b.test'));
    api.apply(ingress('a', 'a2.test'));
    await waitFor(() => hosts().includes('a2.test'));
    api.delete('Ingress', 'default', 'b');
    await waitFor(() => !hosts().includes('b.test'));
    expect(hosts()).to.deep.equal(['a2.test']);
  });

  it('restarts an informer that failed (a 500 on its watch) and catches up', async () => {
    api.failNext('ingresses', 500, { verb: 'watch' });
    api.closeWatches('ingresses', { reset: true });
    api.apply(ingress('c', 'c.test'));
    await waitFor(() => hosts().includes('c.test'), 10000);
    expect(failures.some((f) => f.startsWith('Ingress'))).to.equal(true);
    expect(source.restarts()['Ingress']).to.be.greaterThan(0);
  });

  it('retries a first list that fails, and only then reports itself synced', async () => {
    await source.stop();
    api.failNext('ingresses', 500, { verb: 'list', times: 2 });
    failures = [];
    const retrying = new KubernetesSource(
      { kubeconfig: await api.writeKubeconfig(dir), namespace: undefined, configMap: { namespace: undefined, name: 'portico' }, endpoints: 'EndpointSlice', backoff: { initialMs: 20, maxMs: 100, random: () => 0 } },
      { onChanges: () => undefined, onFailure: (kind) => failures.push(kind), onInvalid: () => undefined },
    );
    try {
      await retrying.start();
      expect(failures.filter((kind) => kind === 'Ingress')).to.have.length(2);
      expect(retrying.restarts()['Ingress']).to.equal(2);
    } finally {
      await retrying.stop();
    }
  });

  it('relists after 410 Gone and drops what was deleted meanwhile', async () => {
    api.stallWatches('ingresses', Infinity);
    api.apply(ingress('d', 'd.test'));
    api.delete('Ingress', 'default', 'a');
    api.expireHistory();
    api.closeWatches('ingresses');
    await waitFor(() => hosts().join() === 'd.test', 10000);
  });
});

// Proves the fake API server speaks the real list/watch protocol: raw HTTP checks, then @kubernetes/client-node unmodified.
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  EventsV1Api,
  KubeConfig,
  ListWatch,
  makeInformer,
  NetworkingV1Api,
  Watch,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1Ingress,
  type V1Secret,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { startFakeApiServer, type FakeApiServer, type FakeObject } from '../support/fake-api-server/fake-api-server.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const INGRESSES = '/apis/networking.k8s.io/v1/ingresses';

function ingress(name: string, host: string, namespace = 'default'): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace },
    spec: { ingressClassName: 'portico', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  };
}

function secret(name: string, type: string): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type, data: {} };
}

function endpointSlice(name: string, service: string): FakeObjectInput {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
  };
}

interface FakeObjectInput {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Polls `check` (an assertion) until it passes or `timeoutMs` runs out, then throws its last failure. */
async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

interface WatchLine {
  readonly type: string;
  readonly object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

interface RawWatch {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: WatchLine[];
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  readonly body: () => string;
  close(): void;
}

/** A watch request made with node:http, so the test sees the bytes the server sends. */
async function openRawWatch(url: string): Promise<RawWatch> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, (response) => {
      const events: WatchLine[] = [];
      let text = '';
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          events.push(JSON.parse(buffered.slice(0, newline)) as WatchLine);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      });
      const ended = new Promise<void>((done) => response.on('end', () => done()));
      resolve({ status: response.statusCode ?? 0, headers: response.headers, events, ended, body: () => text, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

/** Every informer callback, in order, as `verb name@resourceVersion` (error and connect without an object). */
interface InformerLog {
  readonly entries: string[];
  readonly errors: unknown[];
}

function recordCallbacks<T extends KubernetesObject>(informer: Informer<T>): InformerLog {
  const log: InformerLog = { entries: [], errors: [] };
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (object) => log.entries.push(`${verb} ${object.metadata?.name ?? ''}@${object.metadata?.resourceVersion ?? ''}`));
  }
  informer.on('connect', () => log.entries.push('connect'));
  informer.on('error', (error: unknown) => {
    log.entries.push('error');
    log.errors.push(error);
  });
  return log;
}

function cachedNames<T extends KubernetesObject>(cache: ObjectCache<T>): string[] {
  return cache.list().map((object) => object.metadata?.name ?? '').sort();
}

function watchRequests(server: FakeApiServer): { resourceVersion: string | undefined; status: number }[] {
  return server.requests.filter((r) => r.verb === 'watch').map((r) => ({ resourceVersion: r.query['resourceVersion'], status: r.status }));
}

function listCount(server: FakeApiServer): number {
  return server.requests.filter((r) => r.verb === 'list').length;
}

describe('fake API server', function () {
  this.timeout(20_000);

  let server: FakeApiServer;
  let kubeConfig: KubeConfig;
  let stoppers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    server = await startFakeApiServer();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(server.kubeconfig());
  });

  afterEach(async () => {
    for (const stop of stoppers) await stop();
    stoppers = [];
    await server.close();
  });

  /** A client-node informer over all Ingresses, started, with its callbacks recorded. */
  async function startIngressInformer(): Promise<{ informer: Informer<V1Ingress> & ObjectCache<V1Ingress>; log: InformerLog }> {
    const networking = kubeConfig.makeApiClient(NetworkingV1Api);
    const informer = makeInformer<V1Ingress>(kubeConfig, INGRESSES, () => networking.listIngressForAllNamespaces());
    const log = recordCallbacks(informer);
    stoppers.push(() => informer.stop());
    await informer.start();
    return { informer, log };
  }

  describe('protocol', () => {
    it('answers a list like the real server: a typed List, its resourceVersion, items without kind and apiVersion', async () => {
      server.apply(ingress('shop', 'shop.example'));
      server.apply(ingress('blog', 'blog.example', 'team-b'));

      const response = await fetch(`${server.url}${INGRESSES}`);
      const list = (await response.json()) as { kind: string; apiVersion: string; metadata: { resourceVersion: string }; items: Record<string, unknown>[] };

      expect(response.headers.get('content-type')).to.equal('application/json');
      expect(list.kind).to.equal('IngressList');
      expect(list.apiVersion).to.equal('networking.k8s.io/v1');
      expect(list.metadata.resourceVersion).to.equal(server.resourceVersion).and.to.equal('2');
      expect(list.items.map((item) => Object.keys(item).sort())).to.deep.equal([['metadata', 'spec'], ['metadata', 'spec']]);
      const meta = list.items[0]?.['metadata'] as Record<string, unknown>;
      expect(meta).to.include({ name: 'shop', namespace: 'default', resourceVersion: '1', generation: 1 });
      expect(meta['uid']).to.match(/^[0-9a-f-]{36}$/);
      expect(meta['creationTimestamp']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect((list.items[1]?.['metadata'] as Record<string, unknown>)['namespace']).to.equal('team-b');

      const namespaced = (await (await fetch(`${server.url}/apis/networking.k8s.io/v1/namespaces/team-b/ingresses`)).json()) as { items: unknown[] };
      expect(namespaced.items).to.have.length(1);
      const single = (await (await fetch(`${server.url}/apis/networking.k8s.io/v1/namespaces/default/ingresses/shop`)).json()) as FakeObject;
      expect(single.kind).to.equal('Ingress');
      expect(single.apiVersion).to.equal('networking.k8s.io/v1');

      server.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portico' }, spec: { controller: 'example.com/portico' } });
      const classes = await kubeConfig.makeApiClient(NetworkingV1Api).listIngressClass();
      expect(classes.items.map((c) => [c.metadata?.name, c.metadata?.namespace])).to.deep.equal([['portico', undefined]]);
      expect(server.delete('IngressClass', '', 'portico')).to.equal(true);
      expect(server.list('IngressClass')).to.deep.equal([]);
    });

    it('pages a list with limit and continue over one snapshot, and expires continue tokens with the history', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) server.apply(ingress(name, `${name}.example`));
      const networking = kubeConfig.makeApiClient(NetworkingV1Api);

      const first = await networking.listIngressForAllNamespaces({ limit: 2 });
      server.apply(ingress('aa', 'aa.example'));
      server.delete('Ingress', 'default', 'd');
      const second = await networking.listIngressForAllNamespaces({ limit: 2, _continue: first.metadata?._continue ?? '' });
      const third = await networking.listIngressForAllNamespaces({ limit: 2, _continue: second.metadata?._continue ?? '' });

      expect(first.items.map((i) => i.metadata?.name)).to.deep.equal(['a', 'b']);
      expect(first.metadata?.remainingItemCount).to.equal(3);
      expect(second.items.map((i) => i.metadata?.name)).to.deep.equal(['c', 'd']);
      expect(third.items.map((i) => i.metadata?.name)).to.deep.equal(['e']);
      expect(third.metadata?._continue).to.equal(undefined);
      expect([second.metadata?.resourceVersion, third.metadata?.resourceVersion]).to.deep.equal(['5', '5']);

      const next = await networking.listIngressForAllNamespaces({ limit: 1 });
      server.expireHistory();
      const error = await networking.listIngressForAllNamespaces({ limit: 1, _continue: next.metadata?._continue ?? '' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiException);
      expect((error as ApiException<string>).code).to.equal(410);
    });

    it('streams watch events as chunked newline-delimited JSON, replaying changes newer than resourceVersion', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const start = server.resourceVersion;
      server.apply(ingress('shop', 'shop-v2.example'));
      server.apply(ingress('blog', 'blog.example'));

      const watch = await openRawWatch(`${server.url}${INGRESSES}?watch=true&resourceVersion=${start}&allowWatchBookmarks=true&timeoutSeconds=1`);
      expect(watch.status).to.equal(200);
      expect(watch.headers['transfer-encoding']).to.equal('chunked');
      expect(watch.headers['content-type']).to.equal('application/json');
      await eventually(() => expect(watch.events).to.have.length(2));
      server.delete('Ingress', 'default', 'blog');
      expect(server.sendBookmarks('ingresses')).to.equal(1);
      await watch.ended;

      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}@${e.object.metadata?.resourceVersion ?? ''}`)).to.deep.equal([
        'MODIFIED shop@2',
        'ADDED blog@3',
        'DELETED blog@4',
        'BOOKMARK @4',
      ]);
      expect(watch.events[0]?.object.kind).to.equal('Ingress');
      expect(watch.events[3]?.object).to.deep.equal({ kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '4' } });
      expect(watch.body().endsWith('\n')).to.equal(true);
    });

    it('starts a watch without resourceVersion with synthetic ADDED events, and sends bookmarks only when asked', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const watch = await openRawWatch(`${server.url}${INGRESSES}?watch=true`);
      await eventually(() => expect(watch.events.map((e) => e.type)).to.deep.equal(['ADDED']));

      expect(server.sendBookmarks()).to.equal(0);
      server.apply(ingress('blog', 'blog.example'));
      await eventually(() => expect(watch.events.map((e) => e.type)).to.deep.equal(['ADDED', 'ADDED']));
      watch.close();
      await eventually(() => expect(server.openWatches()).to.equal(0));
    });

    it('turns label changes into ADDED and DELETED for a label-selected watch, as the watch cache does', async () => {
      server.apply(endpointSlice('web-1', 'web'));
      const from = server.resourceVersion;
      const watch = await openRawWatch(`${server.url}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=true&resourceVersion=${from}&labelSelector=${encodeURIComponent('kubernetes.io/service-name=web')}`);

      server.apply(endpointSlice('api-1', 'api'));
      server.apply(endpointSlice('api-1', 'web'));
      server.apply({ ...endpointSlice('api-1', 'web'), endpoints: [] });
      server.apply(endpointSlice('web-1', 'other'));
      await eventually(() => expect(watch.events).to.have.length(3));

      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}@${e.object.metadata?.resourceVersion ?? ''}`)).to.deep.equal([
        'ADDED api-1@3',
        'MODIFIED api-1@4',
        'DELETED web-1@5',
      ]);
      watch.close();
    });

    it('answers a watch from a compacted resourceVersion with an ERROR event (410 Expired) or, if chosen, HTTP 410', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const old = server.resourceVersion;
      server.apply(ingress('blog', 'blog.example'));
      server.expireHistory();

      const asEvent = await openRawWatch(`${server.url}${INGRESSES}?watch=true&resourceVersion=${old}`);
      await asEvent.ended;
      expect(asEvent.status).to.equal(200);
      expect(asEvent.events).to.have.length(1);
      expect(asEvent.events[0]?.type).to.equal('ERROR');
      expect(asEvent.events[0]?.object).to.include({ kind: 'Status', code: 410, reason: 'Expired' });

      const current = await openRawWatch(`${server.url}${INGRESSES}?watch=true&resourceVersion=${server.resourceVersion}`);
      expect(current.status).to.equal(200);
      current.close();

      server.expireHistory({ as: 'http-status' });
      const asStatus = await fetch(`${server.url}${INGRESSES}?watch=true&resourceVersion=${old}`);
      expect(asStatus.status).to.equal(410);
      expect(await asStatus.json()).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
    });

    it('refuses field selectors the real server does not support, and filters on those it does', async () => {
      const unsupported = await fetch(`${server.url}/api/v1/configmaps?fieldSelector=data.key%3Dx`);
      expect(unsupported.status).to.equal(400);
      expect(await unsupported.json()).to.include({ message: 'field label not supported: data.key', code: 400 });

      server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portico', namespace: 'portico-system' }, data: { a: '1' } });
      server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'portico-system' }, data: {} });
      server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portico', namespace: 'elsewhere' }, data: {} });
      const core = kubeConfig.makeApiClient(CoreV1Api);
      const byName = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=portico,metadata.namespace=portico-system' });
      expect(byName.items.map((c) => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`)).to.deep.equal(['portico-system/portico']);
      const inNamespace = await core.listNamespacedConfigMap({ namespace: 'portico-system', fieldSelector: 'metadata.name=portico' });
      expect(inNamespace.items).to.have.length(1);
    });

    it('writes a kubeconfig file that KubeConfig.loadFromFile accepts', async () => {
      const dir = await makeTempDir('portico-fake-api-');
      try {
        const config = new KubeConfig();
        config.loadFromFile(await server.writeKubeconfig(dir));
        expect(config.getCurrentCluster()?.server).to.equal(server.url);
        const listed = await config.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'default' });
        expect(listed.items).to.deep.equal([]);
        expect(server.requests.at(-1)).to.include({ method: 'GET', path: '/api/v1/namespaces/default/secrets', verb: 'list', resource: 'secrets', status: 200 });
      } finally {
        await removeDir(dir);
      }
    });
  });

  describe('with @kubernetes/client-node 2.0.1', () => {
    it('an informer sees adds, updates and deletes', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const { informer, log } = await startIngressInformer();
      server.apply(ingress('blog', 'blog.example'));
      server.apply(ingress('shop', 'shop-v2.example'));
      server.delete('Ingress', 'default', 'blog');

      await eventually(() => expect(log.entries).to.have.length(5));
      expect(log.entries).to.deep.equal(['connect', 'add shop@1', 'add blog@2', 'update shop@3', 'delete blog@4']);
      expect(informer.get('shop', 'default')?.spec?.rules?.[0]?.host).to.equal('shop-v2.example');
      expect(watchRequests(server)).to.deep.equal([{ resourceVersion: '1', status: 200 }]);
    });

    for (const expiry of ['error-event', 'http-status'] as const) {
      it(`after 410 Expired (${expiry}) the informer relists and reconciles the gap, deletes included, without an error callback`, async () => {
        for (const name of ['a', 'b', 'c']) server.apply(ingress(name, `${name}.example`));
        const { informer, log } = await startIngressInformer();
        await eventually(() => expect(cachedNames(informer)).to.deep.equal(['a', 'b', 'c']));
        const seenBefore = log.entries.length;
        const lastSeen = server.resourceVersion;

        // The gap: the stream delivers nothing while the store moves on, then history is compacted and the stream dies.
        expect(server.stallWatches('ingresses', Infinity)).to.equal(1);
        server.apply(ingress('d', 'd.example'));
        server.apply(ingress('b', 'b-v2.example'));
        server.delete('Ingress', 'default', 'c');
        server.expireHistory({ as: expiry });
        server.closeWatches('ingresses');

        await eventually(() => expect(cachedNames(informer)).to.deep.equal(['a', 'b', 'd']));
        expect(informer.get('b', 'default')?.spec?.rules?.[0]?.host).to.equal('b-v2.example');
        // One connect for the re-watch that meets the 410, one for the relist; the relist diff drives the callbacks.
        expect(log.entries.slice(seenBefore)).to.deep.equal(['connect', 'connect', 'delete c@3', 'update b@5', 'add d@4']);
        expect(log.errors).to.deep.equal([]);
        // It resumed from its last resourceVersion, was told 410, listed again, and then watches from the new list.
        await eventually(() => expect(watchRequests(server).at(-1)).to.deep.equal({ resourceVersion: '6', status: 200 }));
        expect(watchRequests(server).slice(1, 2)).to.deep.equal([{ resourceVersion: lastSeen, status: expiry === 'error-event' ? 200 : 410 }]);
        expect(listCount(server)).to.equal(2);
      });
    }

    it('re-establishes a cleanly closed watch from its last resourceVersion, without a relist', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const { informer, log } = await startIngressInformer();
      server.apply(ingress('blog', 'blog.example'));
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'shop']));

      expect(server.closeWatches('ingresses')).to.equal(1);
      await eventually(() => expect(server.openWatches('ingresses')).to.equal(1));
      server.apply(ingress('cart', 'cart.example'));

      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'cart', 'shop']));
      expect(watchRequests(server)).to.deep.equal([{ resourceVersion: '1', status: 200 }, { resourceVersion: '2', status: 200 }]);
      expect(listCount(server)).to.equal(1);
      expect(log.entries).to.deep.equal(['connect', 'add shop@1', 'add blog@2', 'connect', 'add cart@3']);
    });

    it('backs off re-watching a stream that keeps closing with no events in between (1 s, 2 s, ...)', async () => {
      await startIngressInformer();
      const startedAt = Date.now();
      for (let expected = 2; expected <= 3; expected++) {
        server.closeWatches('ingresses');
        await eventually(() => expect(watchRequests(server)).to.have.length(expected), 4_000);
      }
      // The first re-watch is immediate, the second waits BASE_RECONNECT_DELAY_MS (1 s); any event resets it.
      expect(Date.now() - startedAt).to.be.within(900, 2_500);
    });

    it('a reset watch connection stops the informer with an error callback; start() brings it back', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const { informer, log } = await startIngressInformer();

      server.closeWatches('ingresses', { reset: true });
      await eventually(() => expect(log.errors).to.have.length(1));
      expect(String(log.errors[0])).to.match(/terminated/);
      server.apply(ingress('blog', 'blog.example'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.openWatches()).to.equal(0);
      expect(cachedNames(informer)).to.deep.equal(['shop']);

      await informer.start();
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'shop']));
      // start() resumes from the cached resourceVersion rather than listing again.
      expect(listCount(server)).to.equal(1);
      expect(watchRequests(server).at(-1)).to.deep.equal({ resourceVersion: '1', status: 200 });
    });

    it('a stalled watch goes unnoticed until the Watch inactivity timeout (30 s by default), then resumes from its resourceVersion', async () => {
      expect(Reflect.get(new Watch(kubeConfig), 'requestTimeoutMs')).to.equal(30_000);

      server.apply(ingress('shop', 'shop.example'));
      const watch = new Watch(kubeConfig);
      // The timeout is a private field with no setter in 2.0.1; shortened here so the test runs in a second.
      Reflect.set(watch, 'requestTimeoutMs', 500);
      const networking = kubeConfig.makeApiClient(NetworkingV1Api);
      const informer = new ListWatch<V1Ingress>(INGRESSES, watch, () => networking.listIngressForAllNamespaces(), false);
      const log = recordCallbacks(informer);
      stoppers.push(() => informer.stop());
      await informer.start();

      expect(server.stallWatches('ingresses', Infinity)).to.equal(1);
      server.apply(ingress('blog', 'blog.example'));
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'shop']), 3_000);

      expect(log.entries).to.deep.equal(['connect', 'add shop@1', 'connect', 'add blog@2']);
      expect(log.errors).to.deep.equal([]);
      // Idle for another 500 ms, it would time out and re-watch again, hence only the first two.
      expect(watchRequests(server).slice(0, 2)).to.deep.equal([{ resourceVersion: '1', status: 200 }, { resourceVersion: '1', status: 200 }]);
    });

    it('a 500 on the list fires the error callback, start() still resolves, and the informer stays stopped until started again', async () => {
      server.apply(ingress('shop', 'shop.example'));
      server.failNext('ingresses', 500, { verb: 'list' });
      const { informer, log } = await startIngressInformer();

      expect(log.entries).to.deep.equal(['connect', 'error']);
      expect(log.errors[0]).to.be.instanceOf(ApiException);
      expect((log.errors[0] as ApiException<string>).code).to.equal(500);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(server.requests.map((r) => `${r.verb ?? ''} ${r.status}`)).to.deep.equal(['list 500']);

      await informer.start();
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['shop']));
      expect(server.requests.map((r) => `${r.verb ?? ''} ${r.status}`)).to.deep.equal(['list 500', 'list 200', 'watch 200']);
    });

    it('a 500 on a re-watch fires the error callback (statusCode 500) and stops the informer', async () => {
      const { log } = await startIngressInformer();
      server.failNext('ingresses', 500, { verb: 'watch' });
      server.closeWatches('ingresses');

      await eventually(() => expect(log.errors).to.have.length(1));
      expect(log.errors[0]).to.include({ statusCode: 500, message: 'Internal Server Error' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(watchRequests(server).map((r) => r.status)).to.deep.equal([200, 500]);
    });

    it('stop(), and start() on a running informer, fire the error callback with an AbortError', async () => {
      const { informer, log } = await startIngressInformer();
      await informer.start();
      await eventually(() => expect(log.errors).to.have.length(1));
      await informer.stop();
      await eventually(() => expect(log.errors).to.have.length(2));
      expect(log.errors.map((e) => (e as Error).name)).to.deep.equal(['AbortError', 'AbortError']);
      expect(log.entries).to.deep.equal(['connect', 'connect', 'error', 'error']);
    });

    it('a failed relist after 410 fires the error callback and stops the informer; start() then lists afresh', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const { informer, log } = await startIngressInformer();
      server.stallWatches('ingresses', Infinity);
      server.apply(ingress('blog', 'blog.example'));
      server.expireHistory();
      server.failNext('ingresses', 503, { verb: 'list' });
      server.closeWatches('ingresses');

      await eventually(() => expect(log.errors).to.have.length(1));
      expect((log.errors[0] as ApiException<string>).code).to.equal(503);
      expect(cachedNames(informer)).to.deep.equal(['shop']);
      await informer.start();
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'shop']));
      expect(server.requests.map((r) => `${r.verb ?? ''} ${r.query['resourceVersion'] ?? ''} ${r.status}`)).to.deep.equal([
        'list  200',
        'watch 1 200',
        'watch 1 200',
        'list  503',
        'list  200',
        'watch 2 200',
      ]);
    });

    it('answers slow lists late, with the list taken on arrival, so the watch replays what happened meanwhile', async () => {
      server.apply(ingress('shop', 'shop.example'));
      server.slowLists(400, 'ingresses');
      const networking = kubeConfig.makeApiClient(NetworkingV1Api);
      const informer = makeInformer<V1Ingress>(kubeConfig, INGRESSES, () => networking.listIngressForAllNamespaces());
      stoppers.push(() => informer.stop());
      const started = informer.start();
      await server.waitForRequest((r) => r.verb === 'list');
      server.apply(ingress('blog', 'blog.example'));
      const startedAt = Date.now();
      await started;

      expect(Date.now() - startedAt).to.be.greaterThan(300);
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['blog', 'shop']));
      expect(watchRequests(server)).to.deep.equal([{ resourceVersion: '1', status: 200 }]);
    });

    it('a status PUT or PATCH changes only status; a main PUT ignores status; generation follows the spec', async () => {
      server.apply(ingress('shop', 'shop.example'));
      const networking = kubeConfig.makeApiClient(NetworkingV1Api);
      const { log } = await startIngressInformer();

      const current = await networking.readNamespacedIngress({ name: 'shop', namespace: 'default' });
      const edited: V1Ingress = {
        ...current,
        metadata: { ...current.metadata, labels: { sneaky: 'yes' } },
        spec: { ingressClassName: 'other' },
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
      };
      const afterStatus = await networking.replaceNamespacedIngressStatus({ name: 'shop', namespace: 'default', body: edited });
      expect(afterStatus.status?.loadBalancer?.ingress).to.deep.equal([{ ip: '192.0.2.10' }]);
      expect(afterStatus.spec?.ingressClassName).to.equal('portico');
      expect(afterStatus.metadata?.labels).to.equal(undefined);
      expect(afterStatus.metadata?.generation).to.equal(1);

      const patched = await networking.patchNamespacedIngressStatus({
        name: 'shop',
        namespace: 'default',
        body: [{ op: 'replace', path: '/status/loadBalancer/ingress/0/ip', value: '192.0.2.11' }],
      });
      expect(patched.status?.loadBalancer?.ingress?.[0]?.ip).to.equal('192.0.2.11');

      const afterMain = await networking.replaceNamespacedIngress({
        name: 'shop',
        namespace: 'default',
        body: { ...patched, spec: { ...patched.spec, ingressClassName: 'other' }, status: { loadBalancer: {} } },
      });
      expect(afterMain.spec?.ingressClassName).to.equal('other');
      expect(afterMain.status?.loadBalancer?.ingress?.[0]?.ip).to.equal('192.0.2.11');
      expect(afterMain.metadata?.generation).to.equal(2);

      const unchanged = await networking.replaceNamespacedIngressStatus({ name: 'shop', namespace: 'default', body: afterMain });
      expect(unchanged.metadata?.resourceVersion).to.equal(afterMain.metadata?.resourceVersion);

      const statusWrites = server.requests.filter((r) => r.isStatus);
      expect(statusWrites.map((r) => `${r.method} ${r.path} ${r.contentType ?? ''} ${r.status}`)).to.deep.equal([
        'PUT /apis/networking.k8s.io/v1/namespaces/default/ingresses/shop/status application/json 200',
        'PATCH /apis/networking.k8s.io/v1/namespaces/default/ingresses/shop/status application/json-patch+json 200',
        'PUT /apis/networking.k8s.io/v1/namespaces/default/ingresses/shop/status application/json 200',
      ]);
      expect(statusWrites[0]?.body).to.have.nested.property('status.loadBalancer.ingress[0].ip', '192.0.2.10');
      await eventually(() => expect(log.entries).to.deep.equal(['connect', 'add shop@1', 'update shop@2', 'update shop@3', 'update shop@4']));
    });

    it('creates core and events.k8s.io Events and records them', async () => {
      const core = kubeConfig.makeApiClient(CoreV1Api);
      const events = kubeConfig.makeApiClient(EventsV1Api);
      await core.createNamespacedEvent({
        namespace: 'default',
        body: {
          metadata: { generateName: 'shop.' },
          involvedObject: { kind: 'Ingress', namespace: 'default', name: 'shop' },
          reason: 'Rejected',
          message: 'path conflict',
          type: 'Warning',
        },
      });
      const created = await events.createNamespacedEvent({
        namespace: 'default',
        body: { metadata: { name: 'shop.1' }, eventTime: new Date(), regarding: { kind: 'Ingress', name: 'shop' }, reason: 'Sync', note: 'configured', type: 'Normal', action: 'Reload', reportingController: 'portico', reportingInstance: 'portico-0' },
      });

      expect(created.metadata?.uid).to.be.a('string');
      const posts = server.requests.filter((r) => r.verb === 'create');
      expect(posts.map((r) => `${r.path} ${r.status}`)).to.deep.equal(['/api/v1/namespaces/default/events 201', '/apis/events.k8s.io/v1/namespaces/default/events 201']);
      expect(posts[0]?.body).to.include({ reason: 'Rejected', message: 'path conflict' });
      const stored = server.list('Event', 'default');
      expect(stored).to.have.length(1);
      expect(stored[0]?.metadata.name).to.match(/^shop\.[0-9a-f]{5}$/);
      expect(server.get('events.k8s.io/v1/Event', 'default', 'shop.1')?.['note']).to.equal('configured');
    });

    it('leases: optimistic concurrency answers 409 on a stale resourceVersion and on a duplicate create', async () => {
      const coordination = kubeConfig.makeApiClient(CoordinationV1Api);
      const lease = { metadata: { name: 'portico-leader', namespace: 'portico-system' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15 } };
      const created = await coordination.createNamespacedLease({ namespace: 'portico-system', body: lease });
      const duplicate = await coordination.createNamespacedLease({ namespace: 'portico-system', body: lease }).catch((e: unknown) => e);
      expect((duplicate as ApiException<string>).code).to.equal(409);
      expect(JSON.parse((duplicate as ApiException<string>).body)).to.include({ reason: 'AlreadyExists' });

      const renewed = await coordination.replaceNamespacedLease({
        name: 'portico-leader',
        namespace: 'portico-system',
        body: { ...created, spec: { ...created.spec, renewTime: new Date('2025-01-01T00:00:00Z') } },
      });
      expect(Number(renewed.metadata?.resourceVersion)).to.be.greaterThan(Number(created.metadata?.resourceVersion));

      const stale = await coordination
        .replaceNamespacedLease({ name: 'portico-leader', namespace: 'portico-system', body: { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } } })
        .catch((e: unknown) => e);
      expect(stale).to.be.instanceOf(ApiException);
      expect((stale as ApiException<string>).code).to.equal(409);
      expect(JSON.parse((stale as ApiException<string>).body)).to.include({ reason: 'Conflict' });

      const read = await coordination.readNamespacedLease({ name: 'portico-leader', namespace: 'portico-system' });
      expect(read.spec?.holderIdentity).to.equal('pod-a');
      const missing = await coordination.readNamespacedLease({ name: 'nope', namespace: 'portico-system' }).catch((e: unknown) => e);
      expect((missing as ApiException<string>).code).to.equal(404);
    });

    it('secrets: fieldSelector type=kubernetes.io/tls filters lists and watches', async () => {
      server.apply(secret('tls-a', 'kubernetes.io/tls'));
      server.apply(secret('token', 'Opaque'));
      const core = kubeConfig.makeApiClient(CoreV1Api);
      const listed = await core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' });
      expect(listed.items.map((s) => s.metadata?.name)).to.deep.equal(['tls-a']);

      const informer = new ListWatch<V1Secret>(
        '/api/v1/secrets',
        new Watch(kubeConfig),
        () => core.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/tls' }),
        false,
        undefined,
        'type=kubernetes.io/tls',
      );
      stoppers.push(() => informer.stop());
      await informer.start();
      server.apply(secret('tls-b', 'kubernetes.io/tls'));
      server.apply(secret('other', 'Opaque'));
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['tls-a', 'tls-b']));
      expect(watchRequests(server)).to.have.length(1);
      expect(server.requests.find((r) => r.verb === 'watch')?.query['fieldSelector']).to.equal('type=kubernetes.io/tls');
    });

    it('endpointslices: an informer with labelSelector kubernetes.io/service-name=web sees only that service', async () => {
      server.apply(endpointSlice('web-abc', 'web'));
      server.apply(endpointSlice('api-abc', 'api'));
      const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
      const selector = 'kubernetes.io/service-name=web';
      const informer = makeInformer(kubeConfig, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: selector }), selector);
      stoppers.push(() => informer.stop());
      await informer.start();
      server.apply(endpointSlice('web-def', 'web'));
      server.apply(endpointSlice('api-def', 'api'));
      await eventually(() => expect(cachedNames(informer)).to.deep.equal(['web-abc', 'web-def']));

      const setBased = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name in (api,nope)' });
      expect(setBased.items.map((s) => s.metadata?.name)).to.deep.equal(['api-abc', 'api-def']);
    });
  });
});

// proxy-body, proxy-buffers, proxy-next-upstream and proxy-http-version through a real nginx: what a client
// gets for a body over the limit, which endpoint answers after a refused connection, what the backend sees.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('proxy limit annotations through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;
  /** Listens on 127.0.0.3; the same port on 127.0.0.2 refuses connections. */
  let live: EchoBackend;

  const route = (name: string, host: string, annotations: Record<string, string>, serviceName = 'web') =>
    ingress(name, { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${A}/${k}`, v])), rules: [{ host, paths: [{ path: '/', service: serviceName }] }] });

  before(async () => {
    web = await startEchoBackend('web');
    live = await startEchoBackend('live', { host: '127.0.0.3' });
    const twoEndpoints = (name: string) => [
      service(name),
      endpointSlice(name, { port: live.port, endpoints: [{ address: '127.0.0.2' }, { address: '127.0.0.3' }] }),
    ];
    served = await serveObjects([
      route('small-bodies', 'small.test', { 'proxy-body-size': '1k', 'client-body-buffer-size': '1k' }),
      route('plain', 'plain.test', {}),
      route('streamed', 'streamed.test', { 'proxy-request-buffering': 'off', 'proxy-buffering': 'on', 'proxy-buffer-size': '8k', 'proxy-buffers-number': '8', 'proxy-busy-buffers-size': '16k' }),
      route('old-http', 'old.test', { 'proxy-http-version': '1.0' }),
      route('retries', 'retry.test', {}, 'retry-default'),
      route('no-retries', 'noretry.test', { 'proxy-next-upstream': 'off' }, 'retry-off'),
      route('one-try', 'onetry.test', { 'proxy-next-upstream': 'error timeout http_502', 'proxy-next-upstream-tries': '1', 'proxy-next-upstream-timeout': '5' }, 'retry-once'),
      // nginx -t refuses two buffers with the default busy size: only this Ingress is rejected.
      route('bad-buffers', 'badbuffers.test', { 'proxy-buffers-number': '2' }),
      route('bad-size', 'badsize.test', { 'proxy-body-size': '1m; return 200 pwned' }),
      service('web'),
      endpointSlice('web', { port: web.port, endpoints: [{ address: '127.0.0.1' }] }),
      ...twoEndpoints('retry-default'),
      ...twoEndpoints('retry-off'),
      ...twoEndpoints('retry-once'),
    ]);
  });

  after(async () => {
    await served?.stop();
    await web?.close();
    await live?.close();
  });

  const post = (host: string, bytes: number) => httpRequest({ port: served.httpPort, host, path: '/upload', method: 'POST', body: 'x'.repeat(bytes) });
  const get = (host: string) => httpRequest({ port: served.httpPort, host, path: '/' });

  it('proxy-body-size answers 413 to a larger body on its own Ingress only; the default still applies elsewhere', async () => {
    expect((await post('small.test', 2048)).status).to.equal(413);
    const small = await post('small.test', 1000);
    expect(small.status).to.equal(200);
    expect(web.requests.at(-1)?.body).to.have.length(1000);
    expect((await post('plain.test', 2048)).status).to.equal(200);
    // The default (1m) still holds on the other Ingress.
    expect((await post('plain.test', 1024 * 1024 + 1)).status).to.equal(413);
  });

  it('passes bodies and responses with request buffering off and response buffering on', async () => {
    const response = await post('streamed.test', 50_000);
    expect(response.status).to.equal(200);
    expect(web.requests.at(-1)?.body).to.have.length(50_000);
  });

  it('proxy-http-version 1.0 speaks HTTP/1.0 to the backend; others keep 1.1', async () => {
    expect((await get('old.test')).status).to.equal(200);
    expect(web.requests.at(-1)?.httpVersion).to.equal('1.0');
    await get('plain.test');
    expect(web.requests.at(-1)?.httpVersion).to.equal('1.1');
  });

  it('retries on the next endpoint when the first refuses (the default), and not with proxy-next-upstream off or one try', async () => {
    // nginx's round robin starts at the first endpoint (127.0.0.2, which refuses) in each worker.
    const statuses = async (host: string): Promise<number[]> => {
      const found: number[] = [];
      for (let i = 0; i < 4; i++) found.push((await get(host)).status);
      return found;
    };
    const retried = await statuses('retry.test');
    expect(retried).to.deep.equal([200, 200, 200, 200]);
    expect(live.requests.length).to.be.at.least(4);
    expect(await statuses('noretry.test')).to.include(502);
    expect(await statuses('onetry.test')).to.include(502);
  });

  it('rejects an Ingress whose values nginx would refuse or that carries syntax, alone', async () => {
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code} ${d.field}`);
    expect(rejected).to.deep.equal([
      `bad-buffers INVALID_ANNOTATION metadata.annotations["${A}/proxy-buffers-number"]`,
      `bad-size INVALID_ANNOTATION metadata.annotations["${A}/proxy-body-size"]`,
    ]);
    expect((await get('badbuffers.test')).status).to.equal(404);
    expect((await get('badsize.test')).status).to.equal(404);
    expect(served.config).not.to.contain('pwned');
    expect((await get('plain.test')).json<EchoResponse>().backend).to.equal('web');
  });
});

// app-root, from-to-www-redirect, x-forwarded-prefix and preserve-trailing-slash through a real nginx.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('app-root, from-to-www-redirect and x-forwarded-prefix through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;

  before(async () => {
    web = await startEchoBackend('web');
    served = await serveObjects([
      ingress('app', { annotations: { [`${A}/app-root`]: '/app/home' }, rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web' }] }] }),
      ingress('www', { annotations: { [`${A}/from-to-www-redirect`]: 'true' }, rules: [{ host: 'www.shop.test', paths: [{ path: '/', service: 'web' }] }] }),
      ingress('bare', { annotations: { [`${A}/from-to-www-redirect`]: 'true' }, rules: [{ host: 'blog.test', paths: [{ path: '/', service: 'web' }] }] }),
      // The twin of this one is served by an Ingress of its own: it is left alone.
      ingress('taken', { annotations: { [`${A}/from-to-www-redirect`]: 'true' }, rules: [{ host: 'news.test', paths: [{ path: '/', service: 'web' }] }] }),
      ingress('taken-twin', { rules: [{ host: 'www.news.test', paths: [{ path: '/', service: 'web' }] }] }),
      ingress('prefixed', {
        annotations: { [`${A}/x-forwarded-prefix`]: '/shop', [`${A}/preserve-trailing-slash`]: 'true' },
        rules: [{ host: 'prefix.test', paths: [{ path: '/', service: 'web' }] }],
      }),
      ingress('bad-prefix', { annotations: { [`${A}/x-forwarded-prefix`]: '/a"; more_set_headers "x' }, rules: [{ host: 'bad.test', paths: [{ path: '/', service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: web.port, endpoints: [{ address: '127.0.0.1' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await web?.close();
  });

  const get = (host: string, path: string) => httpRequest({ port: served.httpPort, host, path });

  it('app-root redirects a request for "/" and serves every other path', async () => {
    const root = await get('app.test', '/');
    expect(root.status).to.equal(302);
    expect(root.headers.location).to.equal('http://app.test/app/home');
    expect((await get('app.test', '/app/home')).json<EchoResponse>().url).to.equal('/app/home');
  });

  it('from-to-www-redirect sends the twin of a host to the host, both ways, keeping the URI', async () => {
    const bare = await get('shop.test', '/cart?id=3');
    expect(bare.status).to.equal(308);
    expect(bare.headers.location).to.equal('http://www.shop.test/cart?id=3');
    const www = await get('www.blog.test', '/post/1');
    expect(www.status).to.equal(308);
    expect(www.headers.location).to.equal('http://blog.test/post/1');
    expect((await get('www.shop.test', '/cart')).json<EchoResponse>().backend).to.equal('web');
  });

  it('leaves a twin that another Ingress serves alone', async () => {
    expect((await get('www.news.test', '/x')).status).to.equal(200);
  });

  it('x-forwarded-prefix adds the header and keeps the other forwarding headers', async () => {
    const echo = (await get('prefix.test', '/items')).json<EchoResponse>();
    expect(echo.headers).to.include({ 'x-forwarded-prefix': '/shop', host: 'prefix.test', 'x-real-ip': '127.0.0.1', 'x-forwarded-proto': 'http' });
    expect(echo.headers['x-request-id']).to.match(/^[0-9a-f]{32}$/);
  });

  it('rejects a hostile x-forwarded-prefix alone', async () => {
    expect(served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code}`)).to.deep.equal(['bad-prefix INVALID_ANNOTATION']);
    expect((await get('bad.test', '/')).status).to.equal(404);
    expect(served.config).not.to.contain('more_set_headers');
  });
});

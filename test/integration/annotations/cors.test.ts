// enable-cors and cors-* through a real nginx: preflight answers, simple requests, and origins that do not match.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('CORS annotations through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;

  const route = (name: string, host: string, annotations: Record<string, string>) =>
    ingress(name, { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${A}/${k}`, v])), rules: [{ host, paths: [{ path: '/', service: 'web' }] }] });

  before(async () => {
    web = await startEchoBackend('web');
    served = await serveObjects([
      route('any-origin', 'any.test', { 'enable-cors': 'true' }),
      route('listed', 'listed.test', {
        'enable-cors': 'true',
        'cors-allow-origin': 'https://app.example.com, https://*.example.org',
        'cors-allow-methods': 'GET, POST',
        'cors-expose-headers': 'X-Total',
        'cors-allow-credentials': 'false',
        'cors-max-age': '600',
        // The preflight must be answered before the rewrite ends the rewrite phase.
        'rewrite-target': '/',
      }),
      route('plain', 'plain.test', {}),
      route('bad-origin', 'bad.test', { 'enable-cors': 'true', 'cors-allow-origin': 'https://a.test"; add_header X-Pwned 1; #' }),
      service('web'),
      endpointSlice('web', { port: web.port, endpoints: [{ address: '127.0.0.1' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await web?.close();
  });

  const send = (host: string, method: string, origin?: string) =>
    httpRequest({ port: served.httpPort, host, path: '/x', method, headers: origin === undefined ? {} : { origin, 'access-control-request-method': 'POST' } });

  it('answers a preflight with 204 and the default headers, without reaching the backend (any origin)', async () => {
    const before = web.requests.length;
    const response = await send('any.test', 'OPTIONS', 'https://whoever.test');
    expect(response.status).to.equal(204);
    expect(response.headers).to.include({
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
      'access-control-max-age': '1728000',
    });
    expect(response.headers['access-control-allow-headers']).to.contain('Authorization');
    expect(web.requests.length).to.equal(before);
    const simple = await send('any.test', 'GET', 'https://whoever.test');
    expect(simple.status).to.equal(200);
    expect(simple.headers['access-control-allow-origin']).to.equal('*');
  });

  it('echoes a listed origin (and a wildcard subdomain) on preflights and simple requests', async () => {
    const preflight = await send('listed.test', 'OPTIONS', 'https://app.example.com');
    expect(preflight.status).to.equal(204);
    expect(preflight.headers).to.include({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, POST',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(preflight.headers).not.to.have.property('access-control-allow-credentials');
    const simple = await send('listed.test', 'GET', 'https://shop.example.org');
    expect(simple.status).to.equal(200);
    expect(simple.headers).to.include({ 'access-control-allow-origin': 'https://shop.example.org', 'access-control-expose-headers': 'X-Total' });
    expect(web.requests.at(-1)?.url).to.equal('/');
  });

  it('sends no Access-Control-Allow-Origin to an origin that does not match, and passes its OPTIONS to the backend', async () => {
    for (const origin of ['https://evil.test', 'https://app.example.com.evil.test', 'http://app.example.com', 'https://a.b.example.org']) {
      const simple = await send('listed.test', 'GET', origin);
      expect(simple.status, origin).to.equal(200);
      expect(simple.headers, origin).not.to.have.property('access-control-allow-origin');
    }
    const preflight = await send('listed.test', 'OPTIONS', 'https://evil.test');
    expect(preflight.status).to.equal(200);
    expect(preflight.headers).not.to.have.property('access-control-allow-origin');
    expect(web.requests.at(-1)?.method).to.equal('OPTIONS');
  });

  it('leaves other Ingresses without CORS headers, and rejects a hostile origin alone', async () => {
    const plain = await send('plain.test', 'OPTIONS', 'https://app.example.com');
    expect(plain.status).to.equal(200);
    expect(plain.headers).not.to.have.property('access-control-allow-origin');
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code} ${d.field}`);
    expect(rejected).to.deep.equal([`bad-origin INVALID_ANNOTATION metadata.annotations["${A}/cors-allow-origin"]`]);
    expect((await send('bad.test', 'GET')).status).to.equal(404);
    expect(served.config).not.to.contain('X-Pwned');
  });
});

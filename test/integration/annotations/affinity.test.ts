// Cookie affinity through a real nginx: a first request gets a cookie whose attributes are the
// annotations', and it and every later request with that cookie reach one endpoint of a two-endpoint
// Service; different sessions reach both; HTTPS requests get Secure; a bad value rejects its Ingress alone.
import { expect } from 'chai';
import { makeCertificate } from '../../support/certificates.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest, type HttpResponse } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpointSlice, ingress, service, tlsSecret } from '../../support/objects.js';
import { freePort } from '../../support/ports.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

describe('annotation affinity (cookie) through nginx', () => {
  let served: ServedConfig;
  let pair: EchoBackend[] = [];

  before(async () => {
    const port = await freePort('127.0.0.2');
    pair = [await startEchoBackend('a', { host: '127.0.0.2', port }), await startEchoBackend('b', { host: '127.0.0.3', port })];
    const annotations = (extra: Record<string, string>) => Object.fromEntries(Object.entries({ affinity: 'cookie', ...extra }).map(([k, v]) => [nginxKey(k), v]));
    served = await serveObjects([
      ingress('sticky', {
        annotations: annotations({
          'session-cookie-name': 'route-id',
          'session-cookie-max-age': '172800',
          'session-cookie-samesite': 'Lax',
          'session-cookie-domain': 'sticky.test',
        }),
        rules: [{ host: 'sticky.test', paths: [{ path: '/app', service: 'pair' }] }],
      }),
      ingress('defaults', { annotations: annotations({ 'session-cookie-expires': '3600' }), rules: [{ host: 'defaults.test', paths: [{ service: 'pair' }] }], tls: [{ hosts: ['defaults.test'], secretName: 'site' }] }),
      ingress('secure', { annotations: annotations({ 'session-cookie-secure': 'true', 'session-cookie-path': '/' }), rules: [{ host: 'secure.test', paths: [{ path: '/x', service: 'pair' }] }] }),
      ingress('plain', { rules: [{ host: 'plain.test', paths: [{ service: 'pair' }] }] }),
      ingress('bad', { annotations: annotations({ 'session-cookie-name': 'x; Domain=evil.test' }), rules: [{ host: 'bad.test', paths: [{ service: 'pair' }] }] }),
      tlsSecret('site', makeCertificate({ hosts: ['defaults.test'] })),
      service('pair'),
      endpointSlice('pair', { port, endpoints: [{ address: '127.0.0.2' }, { address: '127.0.0.3' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(pair.map((b) => b.close()));
  });

  const get = (host: string, path: string, cookie?: string, tls = false): Promise<HttpResponse> =>
    httpRequest({ port: tls ? served.httpsPort : served.httpPort, host, path, headers: cookie === undefined ? {} : { cookie }, ...(tls ? { tls: {} } : {}) });
  const setCookie = (response: HttpResponse): string | undefined => response.headers['set-cookie']?.[0];

  it('sets the cookie with the attributes of the annotations on a first request', async () => {
    const first = await get('sticky.test', '/app/page');
    expect(first.status).to.equal(200);
    expect(setCookie(first)).to.match(/^route-id=[0-9a-f]{32}; Path=\/app; Domain=sticky\.test; Max-Age=172800; SameSite=Lax; HttpOnly$/);
  });

  it('keeps the first request and every later one with its cookie on one endpoint, and spreads sessions over both', async () => {
    const endpointsOfSessions = new Set<string>();
    for (let session = 0; session < 12; session++) {
      const first = await get('sticky.test', '/app');
      const cookie = (setCookie(first) ?? '').split(';')[0] ?? '';
      const seen = new Set([first.json<EchoResponse>().backend]);
      for (let i = 0; i < 5; i++) {
        const next = await get('sticky.test', `/app/${i}`, `other=1; ${cookie}; last=2`);
        expect(setCookie(next), 'no new cookie once the request has one').to.equal(undefined);
        seen.add(next.json<EchoResponse>().backend);
      }
      expect([...seen], `session ${cookie}`).to.have.length(1);
      endpointsOfSessions.add([...seen][0] ?? '');
    }
    expect([...endpointsOfSessions].sort()).to.deep.equal(['a', 'b']);
  });

  it('follows a cookie the client already has, whatever endpoint it names', async () => {
    const backends = new Set<string>();
    // The hash ring depends on the endpoints' ports, which change every run: with 6 ids all landed on one
    // endpoint about 3 % of runs. With 24 the chance is 2^-23.
    for (const id of Array.from({ length: 24 }, (_, i) => `session-${i}`)) {
      const answers = await Promise.all([0, 1, 2].map(() => get('sticky.test', '/app', `route-id=${id}`)));
      expect(new Set(answers.map((a) => a.json<EchoResponse>().backend))).to.have.length(1);
      backends.add(answers[0]?.json<EchoResponse>().backend ?? '');
    }
    expect(backends.size).to.equal(2);
  });

  it('defaults: INGRESSCOOKIE, the Ingress path, expires as Max-Age, and Secure on HTTPS requests only', async () => {
    expect(setCookie(await get('defaults.test', '/', undefined, true))).to.match(/^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/; Max-Age=3600; HttpOnly; Secure$/);
    const plain = await get('defaults.test', '/');
    // Plain HTTP is redirected to HTTPS (ssl-redirect): the cookie is set on the redirect too (always).
    expect(plain.status).to.equal(308);
  });

  it('session-cookie-secure marks the cookie Secure on plain HTTP; session-cookie-path overrides the path', async () => {
    expect(setCookie(await get('secure.test', '/x'))).to.match(/^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/; HttpOnly; Secure$/);
  });

  it('leaves another Ingress of the same Service alone: no cookie, round robin', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await get('plain.test', '/', 'INGRESSCOOKIE=alpha');
      expect(setCookie(answer)).to.equal(undefined);
      seen.add(answer.json<EchoResponse>().backend);
    }
    expect([...seen].sort()).to.deep.equal(['a', 'b']);
  });

  it('rejects an Ingress with a hostile cookie name, and only that one', async () => {
    expect((await get('bad.test', '/')).status).to.equal(404);
    expect(served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION')?.object.name).to.equal('bad');
    expect((await get('sticky.test', '/app')).status).to.equal(200);
  });
});

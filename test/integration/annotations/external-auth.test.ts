// external auth (auth-url and friends) through a real nginx and a loopback auth server: 401 and 403 answered
// as the auth server says, 2xx reaches the backend with the listed response headers, the auth server sees
// the original URL and method (and no body), auth-signin turns 401 into a 302 with rd=, an auth server that is
// down or a host name that does not resolve answers 500 (never open), and a bad value rejects its Ingress only.
import { expect } from 'chai';
import { authLocationOf } from '../../../src/annotations/modules/external-auth.js';
import type { KubeObject } from '../../../src/model/kube.js';
import { startAuthServer, type AuthServer } from '../../support/auth-server.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest, type HttpRequestOptions, type HttpResponse } from '../../support/http-client.js';
import { endpoints, ingress, service } from '../../support/objects.js';
import { freePorts } from '../../support/ports.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const key = (k: string): string => `nginx.ingress.kubernetes.io/${k}`;

describe('external auth through nginx', () => {
  let backend: EchoBackend;
  let auth: AuthServer;
  let served: ServedConfig;

  const route = (name: string, annotations: Record<string, string>, paths = ['/']): KubeObject =>
    ingress(name, { annotations, rules: [{ host: `${name}.auth.test`, paths: paths.map((path) => ({ path, service: 'web' })) }] });

  before(async () => {
    backend = await startEchoBackend('web');
    auth = await startAuthServer();
    const [closedPort] = (await freePorts(1)) as [number];
    const authUrl = `http://127.0.0.1:${auth.port}/verify?from=portico`;
    served = await serveObjects([
      service('web'),
      endpoints('web', { port: backend.port, ready: ['127.0.0.1'] }),
      route('open', {}),
      route('ext', { [key('auth-url')]: authUrl, [key('auth-response-headers')]: 'X-Auth-Request-User, X-Auth-Request-Email' }, ['/', '/api']),
      route('signin', { [key('auth-url')]: authUrl, [key('auth-signin')]: 'https://login.test/oauth2/start' }),
      route('signin-rd', { [key('auth-url')]: authUrl, [key('auth-signin')]: 'https://$host/oauth2/start?rd=$escaped_request_uri' }),
      route('method', { [key('auth-url')]: authUrl, [key('auth-method')]: 'POST' }),
      route('down', { [key('auth-url')]: `http://127.0.0.1:${closedPort}/verify` }),
      route('dns', { [key('auth-url')]: 'http://auth.invalid/verify' }),
      route('hostile', { [key('auth-url')]: `http://127.0.0.1:${auth.port}/verify$http_x` }),
      route('hostile-method', { [key('auth-url')]: authUrl, [key('auth-method')]: 'GET; deny all' }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await auth?.close();
    await backend?.close();
  });

  const request = (host: string, options: Partial<HttpRequestOptions> = {}): Promise<HttpResponse> =>
    httpRequest({ port: served.httpPort, host, path: '/private?q=1', ...options });
  /** The auth server's requests while `action` runs. */
  async function authRequestsDuring(action: () => Promise<unknown>): Promise<AuthServer['requests']> {
    const before = auth.requests.length;
    await action();
    return auth.requests.slice(before);
  }

  it('answers 401 and 403 as the auth server does, and the backend never sees the request', async () => {
    const before = backend.requests.length;
    expect((await request('ext.auth.test')).status).to.equal(401);
    expect((await request('ext.auth.test', { headers: { 'x-test-auth': '403' } })).status).to.equal(403);
    expect(backend.requests.length).to.equal(before);
  });

  it('lets a 2xx through, with the listed auth response headers replacing what the client sent, and passes Set-Cookie on', async () => {
    const response = await request('ext.auth.test', { headers: { cookie: 'session=ok', 'x-auth-request-user': 'mallory' } });
    expect(response.status).to.equal(200);
    const echo = response.json<EchoResponse>();
    expect(echo.url).to.equal('/private?q=1');
    expect(echo.headers['x-auth-request-user']).to.equal('alice');
    expect(echo.headers['x-auth-request-email']).to.equal('alice@example.test');
    // The usual proxy headers still reach the backend next to the auth ones.
    expect(echo.headers['x-forwarded-host']).to.equal('ext.auth.test');
    expect(response.headers['set-cookie']).to.deep.equal(['session=refreshed; Path=/']);
    expect((await request('ext.auth.test', { path: '/api/x', headers: { 'x-test-auth': '204' } })).json<EchoResponse>().url).to.equal('/api/x');
  });

  it('sends the auth server the original URL and method, the client headers, and no body', async () => {
    const [seen] = await authRequestsDuring(() =>
      request('ext.auth.test', { method: 'DELETE', path: '/private/item?id=7', body: 'secret body', headers: { cookie: 'session=ok', 'x-real-ip': '6.6.6.6' } }),
    );
    // nginx's subrequests are GETs: the original method travels in X-Original-Method.
    expect(seen?.method).to.equal('GET');
    expect(seen?.url).to.equal('/verify?from=portico');
    expect(seen?.headers['x-original-url']).to.equal('http://ext.auth.test/private/item?id=7');
    expect(seen?.headers['x-original-method']).to.equal('DELETE');
    expect(seen?.headers['x-auth-request-redirect']).to.equal('/private/item?id=7');
    expect(seen?.headers['x-real-ip']).to.equal('127.0.0.1');
    expect(seen?.headers['x-forwarded-for']).to.equal('127.0.0.1');
    expect(seen?.headers['x-sent-from']).to.equal('nginx-ingress-controller');
    expect(seen?.headers.cookie).to.equal('session=ok');
    expect(seen?.headers['x-request-id']).to.match(/^[0-9a-f]{32}$/);
    expect(seen?.body).to.equal('');
    expect(seen?.headers['content-length']).to.equal(undefined);
  });

  it('uses auth-method for the auth request, with X-Original-URI and X-Scheme', async () => {
    const [seen] = await authRequestsDuring(() => request('method.auth.test', { headers: { cookie: 'session=ok' } }));
    expect(seen?.method).to.equal('POST');
    expect(seen?.headers['x-original-method']).to.equal('GET');
    expect(seen?.headers['x-original-uri']).to.equal('/private?q=1');
    expect(seen?.headers['x-scheme']).to.equal('http');
  });

  it('redirects a 401 to auth-signin with rd= the original URL, and lets a signed-in request through', async () => {
    const response = await request('signin.auth.test');
    expect(response.status).to.equal(302);
    expect(response.headers.location).to.equal('https://login.test/oauth2/start?rd=http://signin.auth.test/private?q=1');
    // A URI that would need percent-encoding in a query: core nginx cannot, so rd is the root.
    const ampersand = await request('signin.auth.test', { path: '/p?a=1&b=2' });
    expect(ampersand.headers.location).to.equal('https://login.test/oauth2/start?rd=http://signin.auth.test/');
    expect((await request('signin.auth.test', { headers: { 'x-test-auth': '403' } })).status).to.equal(403);
    expect((await request('signin.auth.test', { headers: { cookie: 'session=ok' } })).status).to.equal(200);
  });

  it('still asks the auth server and proxies a signed-in request whose URI takes the rd fallback', async () => {
    const [seen] = await authRequestsDuring(async () => {
      const response = await request('signin.auth.test', { path: '/p?a=1&b=2', headers: { cookie: 'session=ok' } });
      expect(response.status).to.equal(200);
      expect(response.json<EchoResponse>().url).to.equal('/p?a=1&b=2');
    });
    expect(seen?.headers['x-original-url']).to.equal('http://signin.auth.test/p?a=1&b=2');
    expect((await request('signin.auth.test', { path: '/p?a=1&b=2', headers: { 'x-test-auth': '403' } })).status).to.equal(403);
  });

  it('keeps an rd= the sign-in URL already has, with $host and $escaped_request_uri', async () => {
    const response = await request('signin-rd.auth.test');
    expect(response.status).to.equal(302);
    expect(response.headers.location).to.equal('https://signin-rd.auth.test/oauth2/start?rd=/private?q=1');
  });

  it('answers 500, never the backend, when the auth server is down or its host name does not resolve', async () => {
    const before = backend.requests.length;
    expect((await request('down.auth.test', { headers: { cookie: 'session=ok' } })).status).to.equal(500);
    expect((await request('dns.auth.test', { headers: { cookie: 'session=ok' } })).status).to.equal(500);
    expect(backend.requests.length).to.equal(before);
  });

  it('rejects an Ingress with a hostile auth-url or auth-method while the other hosts work', async () => {
    const errors = served.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.object.name, d.code, d.field]);
    expect(errors).to.deep.equal([
      ['hostile', 'INVALID_ANNOTATION', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-url"]'],
      ['hostile-method', 'INVALID_ANNOTATION', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-method"]'],
    ]);
    expect((await request('hostile.auth.test', { headers: { cookie: 'session=ok' } })).status).to.equal(404);
    expect((await request('hostile-method.auth.test', { headers: { cookie: 'session=ok' } })).status).to.equal(404);
    expect((await request('open.auth.test')).json<EchoResponse>().backend).to.equal('web');
  });

  it('refuses to be reached from outside: the internal location answers 404', async () => {
    const before = auth.requests.length;
    const internal = authLocationOf(`http://127.0.0.1:${auth.port}/verify?from=portico`, undefined);
    const response = await request('ext.auth.test', { path: internal.replace('^', '%5E'), headers: { cookie: 'session=ok' } });
    expect(response.status).to.equal(404);
    expect(auth.requests.length).to.equal(before);
  });
});

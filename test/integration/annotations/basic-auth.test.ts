// basic-auth through a real nginx: 401 with the realm without or with wrong credentials, the backend with
// right ones (apr1, SHA-256 and SHA-512 crypt hashes made by openssl), the auth-map form, a Secret change
// served after a reload, rejection of a Secret in another namespace or a missing one while other hosts
// work, and the htpasswd files private (0600 in a 0700 directory) and removed when no longer used.
import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { expect } from 'chai';
import type { KubeObject } from '../../../src/model/kube.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest, type HttpResponse } from '../../support/http-client.js';
import { endpoints, ingress, opaqueSecret, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

/** A crypt hash nginx checks, made by openssl as an operator would (`-apr1`, `-5`, `-6`). */
function opensslHash(algorithm: '-apr1' | '-5' | '-6', password: string): string {
  return execFileSync('openssl', ['passwd', algorithm, '-stdin'], { input: password, encoding: 'utf8' }).trim();
}

const key = (k: string): string => `nginx.ingress.kubernetes.io/${k}`;
const basicAuth = (value: string): string => `Basic ${Buffer.from(value).toString('base64')}`;

describe('basic-auth through nginx', () => {
  let backend: EchoBackend;
  let served: ServedConfig;
  let base: KubeObject[];

  const route = (name: string, annotations: Record<string, string>, namespace = 'default'): KubeObject =>
    ingress(name, { namespace, annotations, rules: [{ host: `${name}.auth.test`, paths: [{ path: '/', service: 'web' }] }] });

  before(async () => {
    backend = await startEchoBackend('web');
    base = [
      service('web'),
      endpoints('web', { port: backend.port, ready: ['127.0.0.1'] }),
      service('web', { namespace: 'team' }),
      endpoints('web', { namespace: 'team', port: backend.port, ready: ['127.0.0.1'] }),
      route('open', {}),
      route('file', { [key('auth-type')]: 'basic', [key('auth-secret')]: 'users', [key('auth-realm')]: 'Staff only' }),
      route('map', { [key('auth-type')]: 'basic', [key('auth-secret')]: 'default/user-map', [key('auth-secret-type')]: 'auth-map' }),
      route('foreign', { [key('auth-type')]: 'basic', [key('auth-secret')]: 'default/users' }, 'team'),
      route('missing', { [key('auth-type')]: 'basic', [key('auth-secret')]: 'nobody-made-this' }),
      opaqueSecret('users', { auth: `# staff\nalice:${opensslHash('-apr1', 'wonderland')}\r\nbob:${opensslHash('-6', 'builder')}\n` }),
      opaqueSecret('user-map', { carol: `${opensslHash('-5', 'singer')}\n`, dave: opensslHash('-apr1', 'diver') }),
    ];
    served = await serveObjects(base);
  });

  after(async () => {
    await served?.stop();
    await backend?.close();
  });

  const get = (host: string, authorization?: string): Promise<HttpResponse> =>
    httpRequest({ port: served.httpPort, host, path: '/private?x=1', ...(authorization === undefined ? {} : { headers: { authorization } }) });

  it('answers 401 with the realm when no credentials are sent, and never reaches the backend', async () => {
    const before = backend.requests.length;
    const response = await get('file.auth.test');
    expect(response.status).to.equal(401);
    expect(response.headers['www-authenticate']).to.equal('Basic realm="Staff only"');
    expect(backend.requests.length).to.equal(before);
  });

  it('answers 401 to a wrong password, an unknown user and a malformed header', async () => {
    for (const authorization of [basicAuth('alice:wrong'), basicAuth('mallory:wonderland'), basicAuth('alice'), 'Basic !!!', 'Bearer x']) {
      expect((await get('file.auth.test', authorization)).status, authorization).to.equal(401);
    }
  });

  it('passes the right credentials to the backend (apr1 and SHA-512 crypt hashes)', async () => {
    for (const credentials of ['alice:wonderland', 'bob:builder']) {
      const response = await get('file.auth.test', basicAuth(credentials));
      expect(response.status, credentials).to.equal(200);
      const echo = response.json<EchoResponse>();
      expect(echo.backend).to.equal('web');
      expect(echo.url).to.equal('/private?x=1');
    }
  });

  it('reads the auth-map form (SHA-256 crypt and apr1), with the default realm', async () => {
    expect((await get('map.auth.test')).headers['www-authenticate']).to.equal('Basic realm="Authentication Required"');
    expect((await get('map.auth.test', basicAuth('carol:singer'))).status).to.equal(200);
    expect((await get('map.auth.test', basicAuth('dave:diver'))).status).to.equal(200);
    expect((await get('map.auth.test', basicAuth('dave:singer'))).status).to.equal(401);
  });

  it('does not serve an Ingress whose Secret is in another namespace or missing, while other hosts work', async () => {
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, `${d.object.namespace}/${d.object.name}`]);
    expect(rejected).to.deep.equal([
      ['AUTH_SECRET_NOT_FOUND', 'default/missing'],
      ['INVALID_ANNOTATION', 'team/foreign'],
    ]);
    // Not served at all: the catch-all answers 404, and never with the backend.
    expect((await get('foreign.auth.test', basicAuth('alice:wonderland'))).status).to.equal(404);
    expect((await get('missing.auth.test')).status).to.equal(404);
    expect((await get('open.auth.test')).json<EchoResponse>().backend).to.equal('web');
  });

  it('keeps the htpasswd files 0600 in a 0700 directory, named from namespace and Secret', async () => {
    const dir = `${served.runtimeDir}/auth`;
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    expect((await readdir(dir)).sort()).to.deep.equal(['default_user-map_auth-map.htpasswd', 'default_users_auth-file.htpasswd']);
    for (const name of await readdir(dir)) expect((await stat(`${dir}/${name}`)).mode & 0o777, name).to.equal(0o600);
  });

  it('serves a changed Secret after a reload, and removes the file of a Secret no longer used', async () => {
    const rotated = base.map((o) => (o.kind === 'Secret' && o.metadata.name === 'users' ? opaqueSecret('users', { auth: `alice:${opensslHash('-6', 'looking-glass')}` }) : o));
    await served.update(rotated.filter((o) => !(o.kind === 'Ingress' && o.metadata.name === 'map')));
    expect((await get('file.auth.test', basicAuth('alice:wonderland'))).status).to.equal(401);
    expect((await get('file.auth.test', basicAuth('alice:looking-glass'))).status).to.equal(200);
    expect((await get('file.auth.test', basicAuth('bob:builder'))).status).to.equal(401);
    expect(await readdir(`${served.runtimeDir}/auth`)).to.deep.equal(['default_users_auth-file.htpasswd']);
    await served.update(base);
  });

  it('rejects an Ingress whose Secret turns bad instead of serving it open', async () => {
    const broken = base.map((o) => (o.kind === 'Secret' && o.metadata.name === 'users' ? opaqueSecret('users', { auth: 'alice:{PLAIN}wonderland' }) : o));
    await served.update(broken);
    expect(served.diagnostics.find((d) => d.object.name === 'file')?.code).to.equal('AUTH_SECRET_INVALID');
    expect((await get('file.auth.test')).status).to.equal(404);
    expect((await get('file.auth.test', basicAuth('alice:wonderland'))).status).to.equal(404);
    expect((await get('open.auth.test')).status).to.equal(200);
    await served.update(base);
    expect((await get('file.auth.test', basicAuth('alice:wonderland'))).status).to.equal(200);
  });
});

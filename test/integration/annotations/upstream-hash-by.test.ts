// upstream-hash-by through a real nginx: the same key always reaches the same endpoint, different keys
// reach both, and a hostile key rejects its Ingress alone.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { freePort } from '../../support/ports.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

describe('annotation upstream-hash-by through nginx', () => {
  let served: ServedConfig;
  let pair: EchoBackend[] = [];

  before(async () => {
    const port = await freePort('127.0.0.2');
    pair = [await startEchoBackend('a', { host: '127.0.0.2', port }), await startEchoBackend('b', { host: '127.0.0.3', port })];
    served = await serveObjects([
      ingress('by-user', { annotations: { [nginxKey('upstream-hash-by')]: '$http_x_user' }, rules: [{ host: 'user.test', paths: [{ service: 'pair' }] }] }),
      ingress('by-uri', { annotations: { [nginxKey('upstream-hash-by')]: 'tenant-${request_uri}' }, rules: [{ host: 'uri.test', paths: [{ service: 'pair' }] }] }),
      ingress('bad', { annotations: { [nginxKey('upstream-hash-by')]: '$request_uri consistent; }' }, rules: [{ host: 'bad.test', paths: [{ service: 'pair' }] }] }),
      service('pair'),
      endpointSlice('pair', { port, endpoints: [{ address: '127.0.0.2' }, { address: '127.0.0.3' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(pair.map((b) => b.close()));
  });

  const backendFor = async (host: string, path: string, headers: Record<string, string> = {}): Promise<string> =>
    (await httpRequest({ port: served.httpPort, host, path, headers })).json<EchoResponse>().backend;

  it('sends every request with the same header value to one endpoint, and spreads the values over both', async () => {
    const byUser = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (let user = 0; user < 16; user++) {
        const seen = byUser.get(`u${user}`) ?? new Set<string>();
        seen.add(await backendFor('user.test', '/', { 'x-user': `u${user}` }));
        byUser.set(`u${user}`, seen);
      }
    }
    for (const [user, seen] of byUser) expect(seen.size, user).to.equal(1);
    expect(new Set([...byUser.values()].flatMap((s) => [...s]))).to.have.keys('a', 'b');
  });

  it('hashes on the request URI with text around it', async () => {
    const first = await Promise.all(Array.from({ length: 16 }, (_, i) => backendFor('uri.test', `/item/${i}`)));
    const again = await Promise.all(Array.from({ length: 16 }, (_, i) => backendFor('uri.test', `/item/${i}`)));
    expect(again).to.deep.equal(first);
    expect(new Set(first)).to.have.keys('a', 'b');
  });

  it('rejects an Ingress with a hostile key, and only that one', async () => {
    expect((await httpRequest({ port: served.httpPort, host: 'bad.test', path: '/' })).status).to.equal(404);
    expect(served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION')?.object.name).to.equal('bad');
    expect(await backendFor('uri.test', '/')).to.be.oneOf(['a', 'b']);
  });
});

// rewrite-target, use-regex, redirects, ssl-redirect and proxy timeouts through a real nginx: the path the
// backend receives, the status and Location a client gets, and regex paths that never take over another
// Ingress's Exact or Prefix paths.
import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { makeCertificate } from '../../support/certificates.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service, tlsSecret } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('rewrite, regex and redirect annotations through nginx', () => {
  let served: ServedConfig;
  const backends: Record<string, EchoBackend> = {};
  let silent: Server;
  const held = new Set<Socket>();

  before(async () => {
    for (const name of ['rewritten', 'captured', 'plain', 'exact', 'secure']) backends[name] = await startEchoBackend(name);
    // Accepts connections and never answers: what a read timeout is for.
    silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const certificate = makeCertificate({ hosts: ['secure.rw.test'], keyType: 'ecdsa' });
    const objects = [
      ingress('rewrite-root', { annotations: { [`${A}/rewrite-target`]: '/' }, rules: [{ host: 'rw.test', paths: [{ path: '/api', service: 'rewritten' }] }] }),
      ingress('rewrite-captures', {
        annotations: { [`${A}/use-regex`]: 'true', [`${A}/rewrite-target`]: '/$2' },
        rules: [{ host: 'rw.test', paths: [{ path: '/v2(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'captured' }] }],
      }),
      ingress('plain-prefix', {
        rules: [{ host: 'rw.test', paths: [{ path: '/api/v1', service: 'plain' }, { path: '/apiary', pathType: 'Exact', service: 'exact' }] }],
      }),
      ingress('moved', {
        annotations: { [`${A}/permanent-redirect`]: 'https://new.rw.test$request_uri', [`${A}/permanent-redirect-code`]: '308' },
        rules: [{ host: 'moved.rw.test', paths: [{ path: '/', service: 'plain' }] }],
      }),
      ingress('away', { annotations: { [`${A}/temporal-redirect`]: 'https://elsewhere.test/' }, rules: [{ host: 'away.rw.test', paths: [{ path: '/', service: 'plain' }] }] }),
      ingress('secure-no-redirect', {
        annotations: { [`${A}/ssl-redirect`]: 'false' },
        tls: [{ hosts: ['secure.rw.test'], secretName: 'secure' }],
        rules: [{ host: 'secure.rw.test', paths: [{ path: '/', service: 'secure' }] }],
      }),
      ingress('forced', { annotations: { [`${A}/force-ssl-redirect`]: 'true' }, rules: [{ host: 'forced.rw.test', paths: [{ path: '/', service: 'plain' }] }] }),
      ingress('slow', { annotations: { [`${A}/proxy-read-timeout`]: '1' }, rules: [{ host: 'slow.rw.test', paths: [{ path: '/', service: 'silent' }] }] }),
      // Hostile values: each Ingress is rejected alone.
      ingress('inject-rewrite', { annotations: { [`${A}/rewrite-target`]: '/x; return 200 pwned' }, rules: [{ host: 'bad1.rw.test', paths: [{ path: '/', service: 'plain' }] }] }),
      ingress('inject-redirect', { annotations: { [`${A}/permanent-redirect`]: 'https://x.test/$http_cookie' }, rules: [{ host: 'bad2.rw.test', paths: [{ path: '/', service: 'plain' }] }] }),
      ingress('bad-regex', { annotations: { [`${A}/use-regex`]: 'true' }, rules: [{ host: 'bad3.rw.test', paths: [{ path: '/a(b', service: 'plain' }] }] }),
      tlsSecret('secure', certificate),
      service('silent'),
      endpointSlice('silent', { port: silentPort, endpoints: [{ address: '127.0.0.1' }] }),
    ];
    for (const [name, backend] of Object.entries(backends)) objects.push(service(name), endpointSlice(name, { port: backend.port, endpoints: [{ address: '127.0.0.1' }] }));
    served = await serveObjects(objects);
  });

  after(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await served?.stop();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  const get = (host: string, path: string) => httpRequest({ port: served.httpPort, host, path });
  const echoOf = async (host: string, path: string): Promise<EchoResponse> => {
    const response = await get(host, path);
    expect(response.status, `${host}${path}`).to.equal(200);
    return response.json<EchoResponse>();
  };

  it('rewrite-target "/" on a sub-path sends every matching request to "/", keeping the query (as ingress-nginx does)', async () => {
    expect(await echoOf('rw.test', '/api')).to.include({ backend: 'rewritten', url: '/' });
    expect(await echoOf('rw.test', '/api/items?page=2')).to.include({ backend: 'rewritten', url: '/?page=2' });
  });

  it('rewrite-target with capture groups passes the captured rest of the path', async () => {
    expect(await echoOf('rw.test', '/v2/items/7?x=1')).to.include({ backend: 'captured', url: '/items/7?x=1' });
    expect(await echoOf('rw.test', '/v2')).to.include({ backend: 'captured', url: '/' });
  });

  it('matches regex paths case-insensitively, like ingress-nginx', async () => {
    expect(await echoOf('rw.test', '/API/x')).to.include({ backend: 'rewritten', url: '/' });
  });

  it("never lets a regex path take over another Ingress's Prefix or Exact path on the same host", async () => {
    // `^/api` (regex) matches all three, but the Prefix /api/v1 and the Exact /apiary of another Ingress win.
    expect(await echoOf('rw.test', '/api/v1/users')).to.include({ backend: 'plain', url: '/api/v1/users' });
    expect(await echoOf('rw.test', '/api/v1')).to.include({ backend: 'plain', url: '/api/v1' });
    expect(await echoOf('rw.test', '/apiary')).to.include({ backend: 'exact', url: '/apiary' });
  });

  it('permanent-redirect answers with the code and target it names, variables expanded', async () => {
    const response = await get('moved.rw.test', '/some/page?q=1');
    expect(response.status).to.equal(308);
    expect(response.headers.location).to.equal('https://new.rw.test/some/page?q=1');
  });

  it('temporal-redirect defaults to 302', async () => {
    const response = await get('away.rw.test', '/x');
    expect(response.status).to.equal(302);
    expect(response.headers.location).to.equal('https://elsewhere.test/');
  });

  it('ssl-redirect "false" serves plain HTTP on a TLS host; force-ssl-redirect redirects a host without TLS', async () => {
    expect(await echoOf('secure.rw.test', '/a')).to.include({ backend: 'secure' });
    const tls = await httpRequest({ port: served.httpsPort, host: 'secure.rw.test', path: '/a', tls: {} });
    expect(tls.json<EchoResponse>().backend).to.equal('secure');
    const forced = await get('forced.rw.test', '/b?c=d');
    expect(forced.status).to.equal(308);
    expect(forced.headers.location).to.equal(`https://forced.rw.test:${served.httpsPort}/b?c=d`);
  });

  it('proxy-read-timeout gives up on a backend that does not answer', async () => {
    const started = Date.now();
    expect((await get('slow.rw.test', '/')).status).to.equal(504);
    // Generous: the point is 1 s instead of the 60 s default, not precise timing.
    expect(Date.now() - started).to.be.below(20_000);
  });

  it('rejects each Ingress with a hostile or broken value alone, naming the key, and serves the others', async () => {
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code} ${d.field}`);
    expect(rejected).to.include.members([
      `inject-rewrite INVALID_ANNOTATION metadata.annotations["${A}/rewrite-target"]`,
      `inject-redirect INVALID_ANNOTATION metadata.annotations["${A}/permanent-redirect"]`,
      'bad-regex INVALID_PATH spec.rules[0].http.paths[0].path',
    ]);
    for (const host of ['bad1.rw.test', 'bad2.rw.test', 'bad3.rw.test']) expect((await get(host, '/')).status, host).to.equal(404);
    expect(served.config).not.to.contain('pwned');
    expect(await echoOf('rw.test', '/api/v1')).to.include({ backend: 'plain' });
  });
});

// default-backend and custom-http-errors through a real nginx: a path whose Service has no ready endpoint
// is answered by the default-backend Service; the listed statuses from a backend are replaced by what the
// default backend answers, asked with ingress-nginx's headers; other statuses and other Ingresses pass.
import { expect } from 'chai';
import { ECHO_STATUS_HEADER, startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpointSlice, endpoints, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

describe('annotations default-backend and custom-http-errors through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;
  let errors: EchoBackend;

  before(async () => {
    web = await startEchoBackend('web');
    errors = await startEchoBackend('errors');
    served = await serveObjects([
      ingress('pages', {
        namespace: 'shop',
        annotations: { [nginxKey('default-backend')]: 'errors', [nginxKey('custom-http-errors')]: '404, 503' },
        rules: [{ host: 'pages.test', paths: [{ path: '/', service: 'web' }, { path: '/down', service: 'down' }] }],
      }),
      ingress('fallback-only', { namespace: 'shop', annotations: { [nginxKey('default-backend')]: 'errors' }, rules: [{ host: 'fallback.test', paths: [{ path: '/', service: 'down' }] }] }),
      ingress('plain', { namespace: 'shop', rules: [{ host: 'plain.test', paths: [{ path: '/', service: 'web' }, { path: '/down', service: 'down' }] }] }),
      ingress('bad', { namespace: 'shop', annotations: { [nginxKey('custom-http-errors')]: '404' }, rules: [{ host: 'bad.test', paths: [{ service: 'web' }] }] }),
      ingress('hostile', { namespace: 'shop', annotations: { [nginxKey('default-backend')]: 'other/errors' }, rules: [{ host: 'hostile.test', paths: [{ service: 'web' }] }] }),
      service('web', { namespace: 'shop' }),
      endpoints('web', { namespace: 'shop', port: web.port, ready: ['127.0.0.1'] }),
      service('errors', { namespace: 'shop', ports: [{ port: errors.port }, { port: 9 }] }),
      endpoints('errors', { namespace: 'shop', port: errors.port, ready: ['127.0.0.1'] }),
      service('down', { namespace: 'shop' }),
      endpointSlice('down', { namespace: 'shop', port: 1, endpoints: [{ address: '127.0.0.1', ready: false }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all([web?.close(), errors?.close()]);
  });

  const get = (host: string, path: string, headers: Record<string, string> = {}) => httpRequest({ port: served.httpPort, host, path, headers });

  it('replaces a listed status with the default backend’s answer, asked with ingress-nginx’s headers', async () => {
    const answer = await get('pages.test', '/missing/item?x=1', { [ECHO_STATUS_HEADER]: '404', accept: 'application/json', 'x-request-id': 'req-9' });
    const echo = answer.json<EchoResponse>();
    expect(echo.backend).to.equal('errors');
    // The default backend's own status is what the client gets (here it echoes the test header's 404).
    expect(answer.status).to.equal(404);
    expect(echo.url).to.equal('/?x=1');
    expect(echo.headers).to.include({
      'x-code': '404',
      'x-format': 'application/json',
      'x-original-uri': '/missing/item?x=1',
      'x-namespace': 'shop',
      'x-ingress-name': 'pages',
      'x-service-name': 'web',
      'x-service-port': '80',
      'x-request-id': 'req-9',
      host: 'pages.test',
    });
  });

  it('lets other statuses through from the backend', async () => {
    const answer = await get('pages.test', '/x', { [ECHO_STATUS_HEADER]: '500' });
    expect(answer.status).to.equal(500);
    expect(answer.json<EchoResponse>().backend).to.equal('web');
  });

  it('sends the paths of a Service without ready endpoints to the default backend', async () => {
    const answer = await get('fallback.test', '/anything');
    expect(answer.status).to.equal(200);
    expect(answer.json<EchoResponse>().backend).to.equal('errors');
    expect(answer.json<EchoResponse>().url).to.equal('/anything');
    expect(served.diagnostics.find((d) => d.object.name === 'fallback-only')?.message).to.contain('default-backend Service errors');
  });

  it('leaves another Ingress alone: its statuses pass, its Service without endpoints answers 503', async () => {
    expect((await get('plain.test', '/x', { [ECHO_STATUS_HEADER]: '404' })).json<EchoResponse>().backend).to.equal('web');
    expect((await get('plain.test', '/down')).status).to.equal(503);
  });

  it('rejects custom-http-errors without default-backend, and a default-backend in another namespace; other hosts work', async () => {
    expect((await get('bad.test', '/')).status).to.equal(404);
    expect((await get('hostile.test', '/')).status).to.equal(404);
    const rejected = served.diagnostics.filter((d) => d.code === 'INVALID_ANNOTATION').map((d) => [d.object.name, d.field]);
    expect(rejected).to.deep.equal([
      ['bad', `metadata.annotations["${nginxKey('custom-http-errors')}"]`],
      ['hostile', `metadata.annotations["${nginxKey('default-backend')}"]`],
    ]);
    expect((await get('pages.test', '/')).status).to.equal(200);
  });
});

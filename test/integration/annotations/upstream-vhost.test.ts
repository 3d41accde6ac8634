// upstream-vhost through a real nginx: the backend receives the annotation's Host and still every other
// forwarded header; other Ingresses keep the client's Host.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpoints, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

describe('annotation upstream-vhost through nginx', () => {
  let served: ServedConfig;
  let backend: EchoBackend;

  before(async () => {
    backend = await startEchoBackend('web');
    served = await serveObjects([
      ingress('vhost', { annotations: { [nginxKey('upstream-vhost')]: 'api.internal:8080' }, rules: [{ host: 'vhost.test', paths: [{ service: 'web' }] }] }),
      ingress('plain', { rules: [{ host: 'plain.test', paths: [{ service: 'web' }] }] }),
      ingress('bad', { annotations: { [nginxKey('upstream-vhost')]: 'api.internal"; proxy_pass http://evil;' }, rules: [{ host: 'bad.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpoints('web', { port: backend.port, ready: ['127.0.0.1'] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await backend?.close();
  });

  const headersFor = async (host: string) =>
    (await httpRequest({ port: served.httpPort, host, path: '/', headers: { 'x-request-id': 'req-1' } })).json<EchoResponse>().headers;

  it('sends the Host of the annotation, and keeps the other forwarded headers', async () => {
    const headers = await headersFor('vhost.test');
    expect(headers['host']).to.equal('api.internal:8080');
    expect(headers['x-forwarded-host']).to.equal('vhost.test');
    expect(headers['x-forwarded-for']).to.equal('127.0.0.1');
    expect(headers['x-request-id']).to.equal('req-1');
    expect(headers['x-forwarded-proto']).to.equal('http');
  });

  it("keeps the client's Host for another Ingress of the same Service", async () => {
    expect((await headersFor('plain.test'))['host']).to.equal('plain.test');
  });

  it('rejects an Ingress with a hostile value, and only that one', async () => {
    expect((await httpRequest({ port: served.httpPort, host: 'bad.test', path: '/' })).status).to.equal(404);
    expect(served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION')?.object.name).to.equal('bad');
  });
});

// service-upstream through a real nginx: requests go to the Service's ClusterIP and port (a loopback
// address here, standing for kube-proxy), not to its endpoints; other Ingresses keep the endpoints.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

describe('annotation service-upstream through nginx', () => {
  let served: ServedConfig;
  let clusterIp: EchoBackend;
  let endpoint: EchoBackend;

  before(async () => {
    clusterIp = await startEchoBackend('cluster-ip', { host: '127.0.0.4' });
    endpoint = await startEchoBackend('endpoint', { host: '127.0.0.5' });
    served = await serveObjects([
      ingress('via-service', { annotations: { [nginxKey('service-upstream')]: 'true' }, rules: [{ host: 'service.test', paths: [{ service: 'web', port: clusterIp.port }] }] }),
      ingress('via-endpoints', { rules: [{ host: 'endpoints.test', paths: [{ service: 'web', port: clusterIp.port }] }] }),
      ingress('bad', { annotations: { [nginxKey('service-upstream')]: 'true;' }, rules: [{ host: 'bad.test', paths: [{ service: 'web', port: clusterIp.port }] }] }),
      // The Service port is the ClusterIP backend's port; the endpoint listens on its own (the targetPort).
      service('web', { clusterIP: '127.0.0.4', ports: [{ port: clusterIp.port, targetPort: endpoint.port }] }),
      endpointSlice('web', { port: endpoint.port, endpoints: [{ address: '127.0.0.5' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all([clusterIp?.close(), endpoint?.close()]);
  });

  const get = (host: string) => httpRequest({ port: served.httpPort, host, path: '/x' });

  it("proxies to the Service's ClusterIP and port", async () => {
    const answer = await get('service.test');
    expect(answer.status).to.equal(200);
    expect(answer.json<EchoResponse>().backend).to.equal('cluster-ip');
    expect(answer.json<EchoResponse>().url).to.equal('/x');
  });

  it('leaves the endpoints to an Ingress of the same Service without it', async () => {
    expect((await get('endpoints.test')).json<EchoResponse>().backend).to.equal('endpoint');
  });

  it('rejects an Ingress with a bad value, and only that one', async () => {
    expect((await get('bad.test')).status).to.equal(404);
    expect(served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION')?.object.name).to.equal('bad');
  });
});

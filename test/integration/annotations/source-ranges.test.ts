// allowlist/whitelist/denylist-source-range through a real nginx, with clients on different loopback addresses.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('source range annotations through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;

  const route = (name: string, host: string, annotations: Record<string, string>) =>
    ingress(name, { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${A}/${k}`, v])), rules: [{ host, paths: [{ path: '/', service: 'web' }] }] });

  before(async () => {
    web = await startEchoBackend('web');
    served = await serveObjects([
      route('allow-one', 'allow.test', { 'allowlist-source-range': '127.0.0.1/32, ::1' }),
      route('old-name', 'old.test', { 'whitelist-source-range': '127.0.0.2' }),
      route('deny-wins', 'denywins.test', { 'allowlist-source-range': '127.0.0.0/8', 'denylist-source-range': '127.0.0.2' }),
      route('deny-one', 'deny.test', { 'denylist-source-range': '127.0.0.3/32' }),
      route('open', 'open.test', {}),
      route('bad-range', 'bad.test', { 'allowlist-source-range': '127.0.0.1; allow all' }),
      service('web'),
      endpointSlice('web', { port: web.port, endpoints: [{ address: '127.0.0.1' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await web?.close();
  });

  const statusFrom = async (client: string, host: string): Promise<number> => (await httpRequest({ port: served.httpPort, host, path: '/', localAddress: client })).status;

  it('allowlist-source-range lets the listed client through and answers 403 to the others', async () => {
    expect(await statusFrom('127.0.0.1', 'allow.test')).to.equal(200);
    expect(await statusFrom('127.0.0.2', 'allow.test')).to.equal(403);
  });

  it('whitelist-source-range, the former name, means the same', async () => {
    expect(await statusFrom('127.0.0.2', 'old.test')).to.equal(200);
    expect(await statusFrom('127.0.0.1', 'old.test')).to.equal(403);
  });

  it('deny wins over allow, and a deny list alone denies only what it lists', async () => {
    expect(await statusFrom('127.0.0.1', 'denywins.test')).to.equal(200);
    expect(await statusFrom('127.0.0.2', 'denywins.test')).to.equal(403);
    expect(await statusFrom('127.0.0.2', 'deny.test')).to.equal(200);
    expect(await statusFrom('127.0.0.3', 'deny.test')).to.equal(403);
  });

  it('leaves other Ingresses open, and rejects a hostile range alone', async () => {
    for (const client of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) expect(await statusFrom(client, 'open.test'), client).to.equal(200);
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code} ${d.field}`);
    expect(rejected).to.deep.equal([`bad-range INVALID_ANNOTATION metadata.annotations["${A}/allowlist-source-range"]`]);
    expect(await statusFrom('127.0.0.2', 'bad.test')).to.equal(404);
  });
});

// limit-rps, limit-rpm, limit-connections and limit-whitelist through a real nginx: quick requests from
// clients on different loopback addresses, counting the 503s.
import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { startEchoBackend, type EchoBackend } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const A = 'nginx.ingress.kubernetes.io';

describe('rate limit annotations through nginx', () => {
  let served: ServedConfig;
  let web: EchoBackend;
  let silent: Server;
  const held = new Set<Socket>();

  const route = (name: string, host: string, annotations: Record<string, string>, serviceName = 'web') =>
    ingress(name, { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${A}/${k}`, v])), rules: [{ host, paths: [{ path: '/', service: serviceName }] }] });

  before(async () => {
    web = await startEchoBackend('web');
    // Accepts connections and never answers: requests stay in progress.
    silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    served = await serveObjects([
      route('per-minute', 'rpm.test', { 'limit-rpm': '1', 'limit-burst-multiplier': '1' }),
      route('per-second', 'rps.test', { 'limit-rps': '2', 'limit-burst-multiplier': '1' }),
      route('exempted', 'exempt.test', { 'limit-rpm': '1', 'limit-burst-multiplier': '1', 'limit-whitelist': '127.0.0.2/32, ::1' }),
      route('one-at-a-time', 'conn.test', { 'limit-connections': '1', 'proxy-read-timeout': '2' }, 'silent'),
      route('unlimited', 'plain.test', {}),
      route('bad-rate', 'bad.test', { 'limit-rps': '5; limit_req_zone x' }),
      service('web'),
      endpointSlice('web', { port: web.port, endpoints: [{ address: '127.0.0.1' }] }),
      service('silent'),
      endpointSlice('silent', { port: (silent.address() as { port: number }).port, endpoints: [{ address: '127.0.0.1' }] }),
    ]);
  });

  after(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await served?.stop();
    await web?.close();
  });

  const statusFrom = async (client: string, host: string): Promise<number> => (await httpRequest({ port: served.httpPort, host, path: '/', localAddress: client })).status;
  /** Sends `count` requests one after the other; returns how many got each status. */
  const burst = async (client: string, host: string, count: number): Promise<Record<number, number>> => {
    const seen: Record<number, number> = {};
    for (let i = 0; i < count; i++) {
      const status = await statusFrom(client, host);
      seen[status] = (seen[status] ?? 0) + 1;
    }
    return seen;
  };

  it('limit-rpm lets the rate plus the burst through, answers 503 to the rest, and counts each client apart', async () => {
    // 1 per minute and a burst of 1: the first two pass, unless a minute goes by.
    const first = await burst('127.0.0.1', 'rpm.test', 10);
    expect(first[200]).to.be.within(2, 3);
    expect(first[503]).to.equal(10 - (first[200] ?? 0));
    const other = await burst('127.0.0.3', 'rpm.test', 3);
    expect(other[200]).to.be.within(2, 3);
  });

  it('limit-rps passes what the elapsed time allows, no more', async () => {
    const started = Date.now();
    const seen = await burst('127.0.0.1', 'rps.test', 20);
    const elapsed = (Date.now() - started) / 1000;
    // 1 + burst 2 at once, then 2 per second.
    expect(seen[200]).to.be.within(3, 3 + Math.ceil(2 * elapsed) + 1);
    expect(seen[503]).to.be.at.least(1);
  });

  it('never limits an exempted address; the others are', async () => {
    expect(await burst('127.0.0.2', 'exempt.test', 10)).to.deep.equal({ 200: 10 });
    expect((await burst('127.0.0.1', 'exempt.test', 10))[503]).to.be.within(7, 8);
  });

  it('limit-connections answers 503 to a second request while the first is in progress', async () => {
    const first = statusFrom('127.0.0.1', 'conn.test');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusFrom('127.0.0.1', 'conn.test')).to.equal(503);
    // The first one waited for the silent backend until the read timeout.
    expect(await first).to.equal(504);
  });

  it('leaves other Ingresses unlimited and rejects a hostile value alone', async () => {
    expect(await burst('127.0.0.1', 'plain.test', 10)).to.deep.equal({ 200: 10 });
    const rejected = served.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.object.name} ${d.code} ${d.field}`);
    expect(rejected).to.deep.equal([`bad-rate INVALID_ANNOTATION metadata.annotations["${A}/limit-rps"]`]);
    expect(await statusFrom('127.0.0.1', 'bad.test')).to.equal(404);
  });
});

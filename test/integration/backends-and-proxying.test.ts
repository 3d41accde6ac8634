// Backends and proxying through a real nginx: ready endpoints only, named ports, 503s, client-IP affinity,
// the headers upstreams receive, WebSocket upgrades and the body-size default.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest, websocketEcho } from '../support/http-client.js';
import { endpointSlice, endpoints, ingress, service } from '../support/objects.js';
import { freePort } from '../support/ports.js';
import { serveObjects, type ServedConfig } from '../support/serve-snapshot.js';

const HOST = 'backends.test';

describe('backends and proxying through nginx', () => {
  let served: ServedConfig;
  const all: EchoBackend[] = [];
  let pair: [EchoBackend, EchoBackend];
  let named: EchoBackend;
  let notReady: EchoBackend;
  let plain: EchoBackend;

  before(async () => {
    // Two endpoints of one Service share a port on different loopback addresses, as Pods do.
    const sharedPort = await freePort('127.0.0.2');
    pair = [await startEchoBackend('pair-a', { host: '127.0.0.2', port: sharedPort }), await startEchoBackend('pair-b', { host: '127.0.0.3', port: sharedPort })];
    named = await startEchoBackend('named');
    notReady = await startEchoBackend('not-ready');
    plain = await startEchoBackend('plain');
    all.push(...pair, named, notReady, plain);
    const pairEndpoints = [{ address: '127.0.0.2' }, { address: '127.0.0.3' }];
    served = await serveObjects([
      ingress('backends', {
        rules: [
          {
            host: HOST,
            paths: [
              { path: '/balanced', service: 'pair' },
              { path: '/sticky', service: 'sticky' },
              { path: '/named', service: 'named', port: 'web' },
              { path: '/half-ready', service: 'half-ready' },
              { path: '/none-ready', service: 'none-ready' },
              { path: '/missing', service: 'missing' },
              { path: '/wrong-port', service: 'plain', port: 81 },
              { path: '/endpoints', service: 'plain' },
            ],
          },
        ],
      }),
      service('pair'),
      endpointSlice('pair', { port: sharedPort, endpoints: pairEndpoints }),
      service('sticky', { affinity: 'ClientIP' }),
      endpointSlice('sticky', { port: sharedPort, endpoints: pairEndpoints }),
      // A named Service port whose targetPort is a name: the EndpointSlice port of that name says the number.
      service('named', { ports: [{ name: 'metrics', port: 9100 }, { name: 'web', port: 80, targetPort: 'http-alt' }] }),
      endpointSlice('named', { portName: 'web', port: named.port, endpoints: [{ address: '127.0.0.1' }] }),
      service('half-ready'),
      endpointSlice('half-ready', { name: 'half-ready-1', port: plain.port, endpoints: [{ address: '127.0.0.1' }] }),
      endpointSlice('half-ready', { name: 'half-ready-2', port: notReady.port, endpoints: [{ address: '127.0.0.1', ready: false }] }),
      service('none-ready'),
      endpointSlice('none-ready', { port: notReady.port, endpoints: [{ address: '127.0.0.1', ready: false }] }),
      service('plain'),
      endpoints('plain', { port: plain.port, ready: ['127.0.0.1'] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(all.map((b) => b.close()));
  });

  const get = (path: string, extra: { localAddress?: string; headers?: Record<string, string> } = {}) =>
    httpRequest({ port: served.httpPort, host: HOST, path, ...extra });

  it('balances over every ready endpoint of a Service', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add((await get('/balanced')).json<EchoResponse>().backend);
    expect([...seen].sort()).to.deep.equal(['pair-a', 'pair-b']);
  });

  it('keeps a client on one endpoint when the Service asks for ClientIP affinity', async () => {
    for (const localAddress of ['127.0.0.1', '127.0.0.5', '127.0.0.9']) {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await get('/sticky', { localAddress })).json<EchoResponse>().backend);
      expect(seen.size, `client ${localAddress}`).to.equal(1);
    }
  });

  it('resolves a named Service port and a named targetPort through the EndpointSlice ports', async () => {
    expect((await get('/named/x')).json<EchoResponse>().backend).to.equal('named');
  });

  it('sends traffic only to ready endpoints', async () => {
    for (let i = 0; i < 6; i++) expect((await get('/half-ready')).json<EchoResponse>().backend).to.equal('plain');
    expect(notReady.requests).to.have.length(0);
  });

  it('answers 503 when a Service has no ready endpoint, is missing, or lacks the port', async () => {
    expect((await get('/none-ready')).status).to.equal(503);
    expect((await get('/missing')).status).to.equal(503);
    expect((await get('/wrong-port')).status).to.equal(503);
    const codes = served.diagnostics.map((d) => d.code);
    expect(codes).to.include.members(['NO_READY_ENDPOINTS', 'SERVICE_NOT_FOUND', 'SERVICE_PORT_NOT_FOUND']);
  });

  it('falls back to Endpoints when a Service has no EndpointSlice', async () => {
    expect((await get('/endpoints')).json<EchoResponse>().backend).to.equal('plain');
  });

  it('passes the client request on with the forwarding headers upstreams expect', async () => {
    const echo = (await get('/endpoints/a?b=c', { localAddress: '127.0.0.7', headers: { 'x-forwarded-for': '6.6.6.6' } })).json<EchoResponse>();
    expect(echo.url).to.equal('/endpoints/a?b=c');
    expect(echo.headers).to.include({
      host: HOST,
      'x-real-ip': '127.0.0.7',
      // A client cannot forge its address: the header is replaced, not appended to.
      'x-forwarded-for': '127.0.0.7',
      'x-forwarded-host': HOST,
      'x-forwarded-port': String(served.httpPort),
      'x-forwarded-proto': 'http',
    });
    expect(echo.headers['x-request-id']).to.match(/^[0-9a-f]{32}$/);
  });

  it("keeps the client's X-Request-ID", async () => {
    const echo = (await get('/endpoints', { headers: { 'x-request-id': 'trace-123' } })).json<EchoResponse>();
    expect(echo.headers['x-request-id']).to.equal('trace-123');
  });

  it('sends no "Connection: close" upstream, so upstream connections stay alive', async () => {
    const before = plain.requests.length;
    for (let i = 0; i < 4; i++) await get('/endpoints');
    const recent = plain.requests.slice(before);
    expect(recent.every((r) => r.headers['connection'] === undefined || r.headers['connection'] === '')).to.equal(true);
  });

  it('upgrades WebSocket connections', async () => {
    expect(await websocketEcho({ port: served.httpPort, host: HOST, path: '/endpoints/ws', message: 'hello through nginx' })).to.equal('hello through nginx');
  });

  it('refuses bodies over 1m with 413 and accepts smaller ones', async () => {
    expect((await httpRequest({ port: served.httpPort, host: HOST, path: '/endpoints', method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) })).status).to.equal(413);
    expect((await httpRequest({ port: served.httpPort, host: HOST, path: '/endpoints', method: 'POST', body: 'x'.repeat(1000) })).status).to.equal(200);
  });
});

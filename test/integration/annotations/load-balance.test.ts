// load-balance through a real nginx: ewma (least_conn, shared by the workers) sends new requests away from
// an endpoint busy with a slow one, while the default round robin of another Ingress on the same Service
// alternates; a bad value rejects its Ingress alone.
import { expect } from 'chai';
import { ECHO_DELAY_HEADER, startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { freePort } from '../../support/ports.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';
import { waitFor } from '../../support/wait-for.js';

describe('annotation load-balance through nginx', () => {
  let served: ServedConfig;
  let pair: EchoBackend[] = [];

  before(async () => {
    const port = await freePort('127.0.0.2');
    pair = [await startEchoBackend('a', { host: '127.0.0.2', port }), await startEchoBackend('b', { host: '127.0.0.3', port })];
    served = await serveObjects([
      ingress('fair', { annotations: { [nginxKey('load-balance')]: 'ewma' }, rules: [{ host: 'fair.test', paths: [{ service: 'pair' }] }] }),
      ingress('turns', { rules: [{ host: 'turns.test', paths: [{ service: 'pair' }] }] }),
      ingress('bad', { annotations: { [nginxKey('load-balance')]: 'ewma; least_conn' }, rules: [{ host: 'bad.test', paths: [{ service: 'pair' }] }] }),
      service('pair'),
      endpointSlice('pair', { port, endpoints: [{ address: '127.0.0.2' }, { address: '127.0.0.3' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(pair.map((b) => b.close()));
  });

  const get = (host: string, headers: Record<string, string> = {}) => httpRequest({ port: served.httpPort, host, path: '/', headers });

  it('ewma: while one endpoint holds a slow request, every new one goes to the other', async () => {
    const slow = get('fair.test', { [ECHO_DELAY_HEADER]: '1500' });
    // Wait until the slow request has reached a backend, so nginx counts it as active there.
    const busy = await waitForRequest(pair);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await get('fair.test')).json<EchoResponse>().backend);
    expect(seen).to.deep.equal(Array(6).fill(busy === 'a' ? 'b' : 'a'));
    expect((await slow).json<EchoResponse>().backend).to.equal(busy);
  });

  it('the default round robin of another Ingress on the same Service still alternates', async () => {
    const slow = get('turns.test', { [ECHO_DELAY_HEADER]: '1500' });
    await waitForRequest(pair);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await get('turns.test')).json<EchoResponse>().backend);
    expect([...seen].sort()).to.deep.equal(['a', 'b']);
    await slow;
  });

  it('rejects an Ingress with a bad value, and only that one', async () => {
    expect((await get('bad.test')).status).to.equal(404);
    expect(served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION')?.object.name).to.equal('bad');
    expect((await get('turns.test')).status).to.equal(200);
  });
});

/** The name of the backend that receives the next request carrying the delay header, once one has. */
async function waitForRequest(backends: readonly EchoBackend[]): Promise<string> {
  const before = backends.map((b) => b.requests.length);
  const slowOn = (): EchoBackend | undefined => backends.find((b, j) => b.requests.slice(before[j]).some((r) => r.headers[ECHO_DELAY_HEADER] !== undefined));
  await waitFor(() => slowOn() !== undefined);
  return slowOn()?.name ?? '';
}

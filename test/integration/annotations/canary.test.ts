// The canary annotations through a real nginx: which backend answers by header, by cookie and by weight, in
// ingress-nginx's order, and a rejected canary leaves the other hosts alone.
import { expect } from 'chai';
import type { KubeObject } from '../../../src/model/kube.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { findInjections } from '../../support/nginx-config-tokens.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const key = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;

/** A main Ingress on `host` and its canary with `annotations` (keys without the prefix). */
function pair(host: string, annotations: Record<string, string>): KubeObject[] {
  const label = host.split('.')[0] ?? host;
  return [
    ingress(`${label}-main`, { rules: [{ host, paths: [{ path: '/', service: 'stable' }] }] }),
    ingress(`${label}-canary`, {
      annotations: { [key('canary')]: 'true', ...Object.fromEntries(Object.entries(annotations).map(([k, v]) => [key(k), v])) },
      rules: [{ host, paths: [{ path: '/', service: 'next' }] }],
    }),
  ];
}

/**
 * The weight test: N requests at weight W % land on the canary K times, K ~ Binomial(N, W/100). The bound is
 * 4.5 standard deviations each side (N=400, W=30: mean 120, sigma 9.17, so 79…161): a correct split falls
 * outside it with probability 7e-6, while a split that ignored the weight (0 or 400) or inverted it (280)
 * is far outside.
 */
const N = 400;
const WEIGHT = 30;
const SIGMAS = 4.5;

describe('canary annotations through nginx', () => {
  let stable: EchoBackend;
  let next: EchoBackend;
  let served: ServedConfig;

  before(async () => {
    [stable, next] = await Promise.all([startEchoBackend('stable'), startEchoBackend('next')]);
    served = await serveObjects([
      service('stable'),
      endpointSlice('stable', { port: stable.port, endpoints: [{ address: '127.0.0.1' }] }),
      service('next'),
      endpointSlice('next', { port: next.port, endpoints: [{ address: '127.0.0.1' }] }),
      ...pair('header.test', { 'canary-by-header': 'X-Canary' }),
      ...pair('value.test', { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'Beta' }),
      ...pair('pattern.test', { 'canary-by-header': 'X-Region', 'canary-by-header-pattern': '^eu-[0-9]+$' }),
      ...pair('cookie.test', { 'canary-by-cookie': 'use_canary' }),
      ...pair('order.test', { 'canary-by-header': 'X-Canary', 'canary-by-cookie': 'use_canary', 'canary-weight': '100', 'canary-weight-total': '200' }),
      ...pair('weight.test', { 'canary-weight': String(WEIGHT) }),
      ...pair('zero.test', { 'canary-weight': '0' }),
      ...pair('all.test', { 'canary-weight': '100' }),
      // Rejected (a `$` in the header value): its host is served by the main Ingress alone.
      ...pair('bad.test', { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'x$host' }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all([stable?.close(), next?.close()]);
  });

  async function backendFor(host: string, headers: Record<string, string> = {}): Promise<string> {
    const response = await httpRequest({ port: served.httpPort, host, path: '/x', headers });
    expect(response.status, `${host} ${JSON.stringify(headers)}`).to.equal(200);
    return response.json<EchoResponse>().backend;
  }

  it('builds a config with no diagnostic but the rejected canary, and nothing injected', () => {
    expect(served.diagnostics.map((d) => `${d.code} ${d.object.name}`)).to.deep.equal(['INVALID_ANNOTATION bad-canary']);
    expect(findInjections(served.config)).to.deep.equal([]);
  });

  it('routes by header: always to the canary, never and other values to the main backend', async () => {
    expect(await backendFor('header.test', { 'X-Canary': 'always' })).to.equal('next');
    expect(await backendFor('header.test', { 'x-canary': 'always' }), 'header names ignore case').to.equal('next');
    expect(await backendFor('header.test', { 'X-Canary': 'never' })).to.equal('stable');
    expect(await backendFor('header.test', { 'X-Canary': 'Always' }), 'values are exact').to.equal('stable');
    expect(await backendFor('header.test', { 'X-Canary': 'sometimes' })).to.equal('stable');
    expect(await backendFor('header.test')).to.equal('stable');
  });

  it('routes by canary-by-header-value: only that exact value goes to the canary', async () => {
    expect(await backendFor('value.test', { 'X-Canary': 'Beta' })).to.equal('next');
    expect(await backendFor('value.test', { 'X-Canary': 'beta' })).to.equal('stable');
    expect(await backendFor('value.test', { 'X-Canary': 'Beta2' })).to.equal('stable');
    expect(await backendFor('value.test', { 'X-Canary': 'always' }), '"always" means nothing once a value is set').to.equal('stable');
  });

  it('routes by canary-by-header-pattern', async () => {
    expect(await backendFor('pattern.test', { 'X-Region': 'eu-12' })).to.equal('next');
    expect(await backendFor('pattern.test', { 'X-Region': 'us-12' })).to.equal('stable');
    expect(await backendFor('pattern.test', { 'X-Region': 'EU-12' })).to.equal('stable');
  });

  it('routes by cookie: always to the canary, never and other values to the main backend', async () => {
    expect(await backendFor('cookie.test', { Cookie: 'a=1; use_canary=always; b=2' })).to.equal('next');
    expect(await backendFor('cookie.test', { Cookie: 'use_canary=never' })).to.equal('stable');
    expect(await backendFor('cookie.test', { Cookie: 'use_canary=yes' })).to.equal('stable');
    expect(await backendFor('cookie.test', { Cookie: 'other=always' })).to.equal('stable');
  });

  it('decides by header, then cookie, then weight', async () => {
    // Weight 100 of 200 alone would split; header and cookie decide first.
    expect(await backendFor('order.test', { 'X-Canary': 'never', Cookie: 'use_canary=always' })).to.equal('stable');
    expect(await backendFor('order.test', { 'X-Canary': 'always', Cookie: 'use_canary=never' })).to.equal('next');
    expect(await backendFor('order.test', { 'X-Canary': 'other', Cookie: 'use_canary=never' })).to.equal('stable');
    expect(await backendFor('order.test', { Cookie: 'use_canary=always' })).to.equal('next');
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await backendFor('order.test'));
    expect([...seen].sort(), 'undecided requests are split by weight').to.deep.equal(['next', 'stable']);
  });

  it(`sends ${WEIGHT} % of ${N} requests to the canary at canary-weight ${WEIGHT}, within ${SIGMAS} sigma`, async () => {
    let canary = 0;
    for (let batch = 0; batch < N / 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => backendFor('weight.test')));
      canary += answers.filter((b) => b === 'next').length;
    }
    const p = WEIGHT / 100;
    const mean = N * p;
    const bound = SIGMAS * Math.sqrt(N * p * (1 - p));
    expect(canary, `canary answered ${canary} of ${N}`).to.be.within(Math.ceil(mean - bound), Math.floor(mean + bound));
  });

  it('sends nothing to the canary at weight 0 and everything at weight 100', async () => {
    for (let i = 0; i < 30; i++) {
      expect(await backendFor('zero.test')).to.equal('stable');
      expect(await backendFor('all.test')).to.equal('next');
    }
  });

  it('serves a host whose canary was rejected from its main Ingress alone', async () => {
    expect(await backendFor('bad.test', { 'X-Canary': 'x$host' })).to.equal('stable');
    expect(await backendFor('bad.test', { 'X-Canary': 'always' })).to.equal('stable');
    expect(await backendFor('header.test', { 'X-Canary': 'always' })).to.equal('next');
  });
});

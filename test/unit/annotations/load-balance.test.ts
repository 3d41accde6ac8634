// load-balance: round_robin and ewma (→ least_conn), upstreams per policy, hostile values refused.
import { expect } from 'chai';
import { compile } from '../../../src/pipeline/compile.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { buildAnnotated, hostileValues, nginxKey, rejectionOf, renderedUpstreams } from '../../support/annotation-cases.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';

describe('annotation load-balance', () => {
  it('gives an ewma Ingress a least_conn upstream of its own, named after the policy', async () => {
    const objects = [
      ingress('plain', { rules: [{ host: 'plain.test', paths: [{ service: 'web' }] }] }),
      ingress('fast', { annotations: { [nginxKey('load-balance')]: 'ewma' }, rules: [{ host: 'fast.test', paths: [{ path: '/a', service: 'web' }, { path: '/b', service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }] }),
    ];
    const result = compile(snapshotOf(objects), await loadTemplates(), goldenOptions);
    expect(result.model.upstreams.map((u) => u.name)).to.deep.equal(['default_web_80', 'default_web_80_leastconn']);
    const upstreams = renderedUpstreams(result.rendered.config);
    // The zone makes least_conn count every worker's connections, not only its own.
    expect(upstreams.get('default_web_80_leastconn')?.slice(0, 2)).to.deep.equal([['zone', 'default_web_80_leastconn', '64k'], ['least_conn']]);
    expect(upstreams.get('default_web_80')?.map((s) => s[0])).to.deep.equal(['server', 'server', 'keepalive']);
    const fast = result.model.servers.find((s) => s.host === 'fast.test');
    expect(fast?.locations.filter((l) => l.action.kind === 'proxy').map((l) => (l.action.kind === 'proxy' ? l.action.upstream : ''))).to.deep.equal(
      Array(4).fill('default_web_80_leastconn'),
    );
  });

  it('treats round_robin as the default: the shared upstream', () => {
    const result = buildAnnotated({ 'load-balance': 'round_robin' });
    expect(result.model.upstreams.map((u) => u.name)).to.deep.equal(['default_web_80']);
    expect(result.model.upstreams[0]?.policy).to.equal(undefined);
  });

  for (const value of ['least_conn', 'EWMA', 'ip_hash', 'round_robin ewma', ...hostileValues]) {
    it(`rejects ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'load-balance': value });
      expect(rejectionOf(result, 'load-balance')?.message).to.match(/^rejected: expected one of round_robin, ewma/);
      expect(result.model.servers).to.deep.equal([]);
    });
  }
});

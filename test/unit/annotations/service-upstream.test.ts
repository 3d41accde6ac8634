// service-upstream: one server, the Service's ClusterIP and port; headless Services keep their endpoints.
import { expect } from 'chai';
import { buildAnnotated, hostileValues, rejectionOf } from '../../support/annotation-cases.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import type { Service } from '../../../src/model/kube.js';

describe('annotation service-upstream', () => {
  it("proxies to the Service's ClusterIP and port instead of its endpoints", () => {
    const result = buildAnnotated({ 'service-upstream': 'true' });
    expect(result.errors()).to.deep.equal([]);
    const [upstream] = result.model.upstreams;
    expect(upstream?.name).to.equal('default_web_80_service');
    expect(upstream?.endpoints).to.deep.equal([{ address: '10.96.0.10', port: 80 }]);
  });

  it('ignores balancing annotations beside it: kube-proxy balances', () => {
    const result = buildAnnotated({ 'service-upstream': 'true', 'load-balance': 'ewma', 'upstream-hash-by': '$request_uri' });
    expect(result.model.upstreams.map((u) => [u.name, u.policy?.balancing.kind])).to.deep.equal([['default_web_80_service', 'round-robin']]);
  });

  it('"false" is the default upstream', () => {
    const result = buildAnnotated({ 'service-upstream': 'false' });
    expect(result.model.upstreams.map((u) => u.name)).to.deep.equal(['default_web_80']);
  });

  it('keeps the endpoints of a headless Service, with a warning naming the Ingress', () => {
    const headless: Service = { ...service('db'), clusterIP: 'None' };
    const result = buildAnnotated(
      { 'service-upstream': 'true' },
      { paths: [{ path: '/', service: 'db' }], extra: [headless, endpointSlice('db', { port: 5432, endpoints: [{ address: '10.0.0.9' }] }), ingress('other', { rules: [] })] },
    );
    expect(result.model.upstreams.map((u) => [u.name, u.endpoints])).to.deep.equal([['default_db_80_service', [{ address: '10.0.0.9', port: 5432 }]]]);
    const warning = result.diagnostics.find((d) => d.code === 'SERVICE_TYPE_UNSUPPORTED');
    expect(warning?.object.name).to.equal('app');
    expect(warning?.message).to.contain('headless');
  });

  for (const value of ['yes', 'True', '1', ...hostileValues]) {
    it(`rejects ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'service-upstream': value });
      expect(rejectionOf(result, 'service-upstream')?.message).to.equal('rejected: expected "true" or "false"');
    });
  }
});

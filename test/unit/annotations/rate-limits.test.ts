// rate-limits: zones at http{} level named after the Ingress, limits in its locations, exemptions through geo and map.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected } from '../../support/annotated-build.js';

describe('rate-limits annotations', () => {
  it("writes one zone per kind keyed on the client address, and the limits with ingress-nginx's burst (rate × 5)", () => {
    const build = annotatedBuild([annotatedIngress('api', 'a.test', { 'limit-rps': '10', 'limit-rpm': '300', 'limit-connections': '4' }, 'shop')]);
    expect(build.http).to.deep.equal([
      'limit_conn_zone $binary_remote_addr zone=portico_conn_shop_api:5m;',
      'limit_req_zone $binary_remote_addr zone=portico_rps_shop_api:5m rate=10r/s;',
      'limit_req_zone $binary_remote_addr zone=portico_rpm_shop_api:5m rate=300r/m;',
    ]);
    expect(build.location('a.test')).to.deep.equal([
      'limit_conn portico_conn_shop_api 4;',
      'limit_req zone=portico_rps_shop_api burst=50 nodelay;',
      'limit_req zone=portico_rpm_shop_api burst=1500 nodelay;',
    ]);
  });

  it('exempts addresses through a geo and a map shared by Ingresses exempting the same ranges', () => {
    const build = annotatedBuild([
      annotatedIngress('one', 'one.test', { 'limit-rps': '1', 'limit-burst-multiplier': '2', 'limit-whitelist': '10.0.0.0/8, 192.168.1.1' }),
      annotatedIngress('two', 'two.test', { 'limit-rpm': '60', 'limit-allowlist': '192.168.1.1,10.1.0.0/8' }),
    ]);
    const geo = build.http.filter((l) => l.startsWith('geo '));
    expect(geo).to.have.length(1);
    const exempt = /^geo \$remote_addr \$(portico_exempt_[0-9a-f]{12}) \{$/.exec(geo[0] ?? '')?.[1];
    const suffix = exempt?.slice('portico_exempt_'.length);
    expect(build.http).to.deep.equal([
      `geo $remote_addr $${exempt} {`,
      '    default 0;',
      '    10.0.0.0/8 1;',
      '    192.168.1.1 1;',
      '}',
      `map $${exempt} $portico_limit_${suffix} {`,
      '    default $binary_remote_addr;',
      '    "1" "";',
      '}',
      `limit_req_zone $portico_limit_${suffix} zone=portico_rps_default_one_${suffix}:5m rate=1r/s;`,
      `limit_req_zone $portico_limit_${suffix} zone=portico_rpm_default_two_${suffix}:5m rate=60r/m;`,
    ]);
    expect(build.location('one.test')).to.deep.equal([`limit_req zone=portico_rps_default_one_${suffix} burst=2 nodelay;`]);
  });

  it('does nothing for 0 or without a rate, and rejects disagreeing allow-list names', () => {
    const build = annotatedBuild([
      annotatedIngress('zero', 'zero.test', { 'limit-rps': '0', 'limit-whitelist': '10.0.0.0/8' }),
      annotatedIngress('both', 'both.test', { 'limit-rps': '1', 'limit-whitelist': '10.0.0.0/8', 'limit-allowlist': '10.0.0.0/16' }),
    ]);
    expect(build.location('zero.test')).to.deep.equal([]);
    expect(build.http).to.deep.equal([]);
    expect(build.errorsOf('both')).to.deep.equal(['INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/limit-whitelist"]']);
  });

  it('refuses values outside the grammars and hostile values, naming the key', () => {
    for (const [key, bad] of [['limit-rps', '-1'], ['limit-rps', '1.5'], ['limit-rpm', '1r/m'], ['limit-burst-multiplier', '0'], ['limit-whitelist', '10.0.0.0/40']] as const) {
      expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'limit-rps': '1', [key]: bad })]).errorsOf('app'), `${key} ${bad}`).to.deep.equal([
        `INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/${key}"]`,
      ]);
    }
    expectHostileValuesRejected('limit-rps', '5');
    expectHostileValuesRejected('limit-rpm', '5');
    expectHostileValuesRejected('limit-connections', '5');
    expectHostileValuesRejected('limit-burst-multiplier', '5', { 'limit-rps': '1' });
    expectHostileValuesRejected('limit-whitelist', '10.0.0.0/8', { 'limit-rps': '1' });
    expectHostileValuesRejected('limit-allowlist', '10.0.0.0/8', { 'limit-rps': '1' });
  });
});

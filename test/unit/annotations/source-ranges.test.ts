// source-ranges: allow and deny lists, deny first, both names of the allow list, and the values refused.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

describe('source-ranges annotations', () => {
  it('writes the denied ranges first, then the allowed ones, then deny all (deny wins, as in ingress-nginx)', () => {
    expect(locationLinesFor({ 'allowlist-source-range': '10.0.0.0/8, 192.168.1.7', 'denylist-source-range': '10.1.0.0/16' })).to.deep.equal([
      'deny 10.1.0.0/16;',
      'allow 10.0.0.0/8;',
      'allow 192.168.1.7;',
      'deny all;',
    ]);
    expect(locationLinesFor({ 'denylist-source-range': '203.0.113.0/24,2001:db8::/32' })).to.deep.equal(['deny 203.0.113.0/24;', 'deny 2001:db8::/32;']);
  });

  it('reads the former name whitelist-source-range, and writes ranges as the networks they cover, once', () => {
    expect(locationLinesFor({ 'whitelist-source-range': '10.1.2.3/8,10.0.0.0/8,2001:db8::1/64' })).to.deep.equal(['allow 10.0.0.0/8;', 'allow 2001:db8::/64;', 'deny all;']);
    expect(locationLinesFor({ 'whitelist-source-range': '10.0.0.0/8', 'allowlist-source-range': '10.0.0.0/8' })).to.deep.equal(['allow 10.0.0.0/8;', 'deny all;']);
  });

  it('rejects an Ingress whose two allow-list names disagree', () => {
    const build = annotatedBuild([annotatedIngress('app', 'a.test', { 'whitelist-source-range': '10.0.0.0/8', 'allowlist-source-range': '192.168.0.0/16' })]);
    expect(build.errorsOf('app')).to.deep.equal(['INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"]']);
  });

  it('refuses what is not an address or range, and hostile values, naming the key', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0', 'all', 'fe80::1%eth0', '10.0.0.0/8,', '::1/129', 'unix:']) {
      expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'denylist-source-range': bad })]).errorsOf('app'), bad).to.deep.equal([
        'INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/denylist-source-range"]',
      ]);
    }
    expectHostileValuesRejected('allowlist-source-range', '10.0.0.0/8');
    expectHostileValuesRejected('whitelist-source-range', '10.0.0.1');
    expectHostileValuesRejected('denylist-source-range', '::1');
  });
});

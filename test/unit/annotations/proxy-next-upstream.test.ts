// proxy-next-upstream: ingress-nginx's space-separated conditions, tries and timeout.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

describe('proxy-next-upstream annotations', () => {
  it('writes the conditions as ingress-nginx lists them, without duplicates', () => {
    expect(locationLinesFor({ 'proxy-next-upstream': 'error timeout http_502 http_502', 'proxy-next-upstream-tries': '2', 'proxy-next-upstream-timeout': '10' })).to.deep.equal([
      'proxy_next_upstream error timeout http_502;',
      'proxy_next_upstream_tries 2;',
      'proxy_next_upstream_timeout 10s;',
    ]);
    expect(locationLinesFor({ 'proxy-next-upstream': 'off' })).to.deep.equal(['proxy_next_upstream off;']);
  });

  it('refuses unknown conditions, "off" with others, and hostile values', () => {
    for (const bad of ['error,timeout', 'http_501', 'off error', 'ERROR', '']) {
      expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'proxy-next-upstream': bad })]).errorsOf('app'), bad).to.deep.equal([
        'INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/proxy-next-upstream"]',
      ]);
    }
    expectHostileValuesRejected('proxy-next-upstream', 'error timeout');
    expectHostileValuesRejected('proxy-next-upstream-tries', '3');
    expectHostileValuesRejected('proxy-next-upstream-timeout', '5');
  });
});

// proxy-body: the request body directives, and the values it refuses.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

describe('proxy-body annotations', () => {
  it('writes client_max_body_size, client_body_buffer_size and proxy_request_buffering in the location', () => {
    expect(locationLinesFor({ 'proxy-body-size': '8M', 'client-body-buffer-size': '64k', 'proxy-request-buffering': 'off' })).to.deep.equal([
      'client_max_body_size 8m;',
      'client_body_buffer_size 64k;',
      'proxy_request_buffering off;',
    ]);
    expect(locationLinesFor({ 'proxy-body-size': '0' })).to.deep.equal(['client_max_body_size 0;']);
  });

  it("touches only its own Ingress's locations", () => {
    const build = annotatedBuild([annotatedIngress('big', 'big.test', { 'proxy-body-size': '100m' }), annotatedIngress('plain', 'plain.test', {})]);
    expect(build.location('big.test')).to.deep.equal(['client_max_body_size 100m;']);
    expect(build.location('plain.test')).to.deep.equal([]);
  });

  it('refuses sizes nginx would not read, and hostile values, naming the key', () => {
    for (const bad of ['1.5m', '1t', '-1', 'm', '1 m', '99999999999']) {
      expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'proxy-body-size': bad })]).errorsOf('app'), bad).to.deep.equal([
        'INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/proxy-body-size"]',
      ]);
    }
    expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'client-body-buffer-size': '0' })]).errorsOf('app')).to.have.length(1);
    expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'proxy-request-buffering': 'true' })]).errorsOf('app')).to.have.length(1);
    expectHostileValuesRejected('proxy-body-size', '1m');
    expectHostileValuesRejected('client-body-buffer-size', '16k');
    expectHostileValuesRejected('proxy-request-buffering', 'on');
  });
});

// proxy-http-version: 1.0 or 1.1 and nothing else.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

describe('proxy-http-version annotation', () => {
  it('writes proxy_http_version in the location', () => {
    expect(locationLinesFor({ 'proxy-http-version': '1.0' })).to.deep.equal(['proxy_http_version 1.0;']);
  });

  it('refuses other versions and hostile values', () => {
    for (const bad of ['2', '2.0', '1', 'HTTP/1.1']) expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'proxy-http-version': bad })]).errorsOf('app'), bad).to.have.length(1);
    expectHostileValuesRejected('proxy-http-version', '1.1');
  });
});

// proxy-buffers: response buffering directives, written together, and the combinations nginx -t would refuse.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

const key = (k: string): string => `INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/${k}"]`;

describe('proxy-buffers annotations', () => {
  it('turns buffering on or off alone', () => {
    expect(locationLinesFor({ 'proxy-buffering': 'on' })).to.deep.equal(['proxy_buffering on;']);
  });

  it('writes the buffer size and number together, with ingress-nginx defaults for the one not set', () => {
    expect(locationLinesFor({ 'proxy-buffer-size': '16k' })).to.deep.equal(['proxy_buffer_size 16k;', 'proxy_buffers 4 16k;']);
    expect(locationLinesFor({ 'proxy-buffers-number': '8' })).to.deep.equal(['proxy_buffer_size 4k;', 'proxy_buffers 8 4k;']);
    expect(locationLinesFor({ 'proxy-buffering': 'on', 'proxy-buffer-size': '8k', 'proxy-buffers-number': '6', 'proxy-busy-buffers-size': '24k', 'proxy-max-temp-file-size': '0' })).to.deep.equal([
      'proxy_buffering on;',
      'proxy_buffer_size 8k;',
      'proxy_buffers 6 8k;',
      'proxy_busy_buffers_size 24k;',
      'proxy_max_temp_file_size 0;',
    ]);
  });

  it('rejects combinations nginx -t refuses, naming the key to change', () => {
    const errors = (annotations: Record<string, string>): string[] => annotatedBuild([annotatedIngress('app', 'a.test', annotations)]).errorsOf('app');
    // Two buffers: twice a buffer does not fit in all buffers but one.
    expect(errors({ 'proxy-buffers-number': '2' })).to.deep.equal([key('proxy-buffers-number')]);
    expect(errors({ 'proxy-buffers-number': '2', 'proxy-busy-buffers-size': '4k' })).to.deep.equal([]);
    expect(errors({ 'proxy-buffer-size': '8k', 'proxy-busy-buffers-size': '4k' })).to.deep.equal([key('proxy-busy-buffers-size')]);
    expect(errors({ 'proxy-buffer-size': '8k', 'proxy-busy-buffers-size': '32k' })).to.deep.equal([key('proxy-busy-buffers-size')]);
    expect(errors({ 'proxy-buffer-size': '8k', 'proxy-max-temp-file-size': '4k' })).to.deep.equal([key('proxy-max-temp-file-size')]);
    expect(errors({ 'proxy-buffer-size': '2m' })).to.deep.equal([key('proxy-buffer-size')]);
  });

  it('refuses hostile values', () => {
    expectHostileValuesRejected('proxy-buffering', 'off');
    expectHostileValuesRejected('proxy-buffer-size', '8k');
    expectHostileValuesRejected('proxy-buffers-number', '4');
    expectHostileValuesRejected('proxy-busy-buffers-size', '8k');
    expectHostileValuesRejected('proxy-max-temp-file-size', '1m');
  });
});

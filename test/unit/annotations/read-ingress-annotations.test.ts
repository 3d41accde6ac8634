// Unit tests for reading an Ingress's annotations: parsed policies, rejections naming the key, what is
// reported and ignored, the operator's risk level and the prefix.
import { expect } from 'chai';
import { defaultAnnotationSettings, type AnnotationSettings } from '../../../src/annotations/annotation-settings.js';
import { readIngressAnnotations } from '../../../src/annotations/read-ingress-annotations.js';
import { buildModel } from '../../../src/build/build-model.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { goldenOptions } from '../../support/golden-options.js';
import { ingress, service } from '../../support/objects.js';

const A = 'nginx.ingress.kubernetes.io';
const web = (annotations: Record<string, string>) => ingress('web', { annotations, rules: [{ host: 'a.test', paths: [{ service: 'web' }] }] });
const read = (annotations: Record<string, string>, settings: AnnotationSettings = defaultAnnotationSettings) => readIngressAnnotations(web(annotations), settings);
const summary = (annotations: Record<string, string>, settings?: AnnotationSettings) =>
  read(annotations, settings).diagnostics.map((d) => `${d.severity} ${d.code} ${d.field}`);

describe('readIngressAnnotations', () => {
  it('parses the keys of each module into its typed value', () => {
    const { policies, diagnostics } = read({ [`${A}/proxy-read-timeout`]: '120', [`${A}/use-regex`]: 'true', [`${A}/permanent-redirect`]: 'https://b.test/' });
    expect(diagnostics).to.deep.equal([]);
    expect(policies['proxy-timeouts']).to.deep.equal({ connect: undefined, send: undefined, read: 120 });
    expect(policies['use-regex']).to.equal(true);
    expect(policies.redirect).to.deep.equal({ code: 301, target: 'https://b.test/' });
  });

  it('rejects a value outside its grammar, naming the key and what was expected', () => {
    const [problem] = read({ [`${A}/proxy-read-timeout`]: '60; include /etc/passwd' }).diagnostics;
    expect(problem).to.include({ severity: 'error', code: 'INVALID_ANNOTATION', field: `metadata.annotations["${A}/proxy-read-timeout"]` });
    expect(problem?.message).to.equal('rejected: expected a whole number of seconds (e.g. 60 or 60s)');
  });

  it('refuses control characters in any value before a grammar sees it', () => {
    expect(summary({ [`${A}/use-regex`]: 'true\n' })).to.deep.equal([`error INVALID_ANNOTATION metadata.annotations["${A}/use-regex"]`]);
  });

  it('reports unsupported, unknown and other controllers\' keys without rejecting the Ingress', () => {
    expect(summary({ [`${A}/enable-access-log`]: 'false', [`${A}/made-up-key`]: 'x', 'nginx.org/rewrites': 'x', 'example.com/other': 'x' })).to.have.members([
      `warning UNSUPPORTED_ANNOTATION metadata.annotations["${A}/enable-access-log"]`,
      `info UNKNOWN_ANNOTATION metadata.annotations["${A}/made-up-key"]`,
      'info UNSUPPORTED_ANNOTATION metadata.annotations["nginx.org/rewrites"]',
    ]);
  });

  it('fails closed on an unsupported key that restricts access: the Ingress is not served without it', () => {
    expect(summary({ [`${A}/auth-tls-verify-client`]: 'on' })).to.deep.equal([`error UNSUPPORTED_ANNOTATION metadata.annotations["${A}/auth-tls-verify-client"]`]);
    const { model } = buildModel(snapshotOf([web({ [`${A}/auth-tls-verify-client`]: 'on' }), service('web')]), goldenOptions);
    expect(model.servers).to.deep.equal([]);
  });

  it('refuses every annotation above the operator\'s risk level', () => {
    const settings: AnnotationSettings = { ...defaultAnnotationSettings, riskLevel: 'low' };
    expect(summary({ [`${A}/rewrite-target`]: '/' }, settings)).to.deep.equal([`error ANNOTATION_REFUSED metadata.annotations["${A}/rewrite-target"]`]);
    expect(summary({ [`${A}/use-regex`]: 'true' }, settings)).to.deep.equal([]);
  });

  it('reads the operator\'s prefix instead of ingress-nginx\'s', () => {
    const settings: AnnotationSettings = { ...defaultAnnotationSettings, prefix: 'portico.dev' };
    const { policies, diagnostics } = read({ 'portico.dev/use-regex': 'true', [`${A}/use-regex`]: 'true' }, settings);
    expect(policies['use-regex']).to.equal(true);
    expect(diagnostics).to.deep.equal([]);
  });

  it('rejects an Ingress with a bad value alone; the others are served', () => {
    const bad = ingress('bad', { annotations: { [`${A}/proxy-send-timeout`]: 'soon' }, rules: [{ host: 'bad.test', paths: [{ service: 'web' }] }] });
    const { model, diagnostics } = buildModel(snapshotOf([bad, web({}), service('web')]), goldenOptions);
    expect(model.servers.map((s) => s.host)).to.deep.equal(['a.test']);
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.object.name)).to.deep.equal(['bad']);
  });
});

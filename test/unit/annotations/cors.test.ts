// cors: the headers, the preflight answer, the origin maps, and the values refused.
import { expect } from 'chai';
import { annotatedBuild, annotatedIngress, expectHostileValuesRejected, locationLinesFor } from '../../support/annotated-build.js';

describe('cors annotations', () => {
  it("writes ingress-nginx's defaults for enable-cors alone: any origin, a 204 preflight", () => {
    expect(locationLinesFor({ 'enable-cors': 'true' })).to.deep.equal([
      'add_header Access-Control-Allow-Origin "*" always;',
      'add_header Access-Control-Allow-Credentials "true" always;',
      'add_header Access-Control-Allow-Methods "GET, PUT, POST, DELETE, PATCH, OPTIONS" always;',
      'add_header Access-Control-Allow-Headers "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization" always;',
      'add_header Access-Control-Max-Age "1728000" always;',
      'if ($request_method = OPTIONS) {',
      '    return 204;',
      '}',
    ]);
  });

  it('echoes a listed origin through an http{} map, shared by Ingresses allowing the same origins', () => {
    const annotations = {
      'enable-cors': 'true',
      'cors-allow-origin': 'https://app.example.com, https://*.example.org:8443,localhost',
      'cors-allow-methods': 'get,POST',
      'cors-allow-headers': 'X-Token, Content-Type',
      'cors-allow-credentials': 'false',
      'cors-max-age': '600',
      'cors-expose-headers': 'X-Total',
    };
    const build = annotatedBuild([annotatedIngress('one', 'one.test', annotations), annotatedIngress('two', 'two.test', annotations)]);
    const name = /\$(portico_cors_[0-9a-f]{12}) \{$/.exec(build.http[0] ?? '')?.[1] ?? '';
    const preflight = name.replace('portico_cors_', 'portico_preflight_');
    expect(build.http).to.deep.equal([
      `map $http_origin $${name} {`,
      '    default "";',
      '    "~*^https://app\\\\.example\\\\.com$" $http_origin;',
      '    "~*^https://[a-z0-9-]+\\\\.example\\\\.org:8443$" $http_origin;',
      '    "~*^https?://localhost$" $http_origin;',
      '}',
      `map $request_method $${preflight} {`,
      '    default "";',
      `    "OPTIONS" $${name};`,
      '}',
    ]);
    expect(build.location('two.test')).to.deep.equal([
      `add_header Access-Control-Allow-Origin $${name} always;`,
      'add_header Vary "Origin" always;',
      'add_header Access-Control-Allow-Methods "GET, POST" always;',
      'add_header Access-Control-Allow-Headers "X-Token,Content-Type" always;',
      'add_header Access-Control-Expose-Headers "X-Total" always;',
      'add_header Access-Control-Max-Age "600" always;',
      `if ($${preflight}) {`,
      '    return 204;',
      '}',
    ]);
  });

  it('ignores the cors-* keys without enable-cors, as ingress-nginx does', () => {
    expect(locationLinesFor({ 'cors-allow-origin': 'https://a.test' })).to.deep.equal([]);
    expect(locationLinesFor({ 'enable-cors': 'false', 'cors-allow-origin': 'https://a.test' })).to.deep.equal([]);
  });

  it('refuses origins that are not origins, and hostile values, naming the key', () => {
    for (const bad of ['https://*', 'https://a.test/path', 'ftp://a.test', '*.a.test.*', 'https://a.test:99999', '^https://a', 'https://*.*.a.test']) {
      expect(annotatedBuild([annotatedIngress('app', 'a.test', { 'enable-cors': 'true', 'cors-allow-origin': bad })]).errorsOf('app'), bad).to.deep.equal([
        'INVALID_ANNOTATION metadata.annotations["nginx.ingress.kubernetes.io/cors-allow-origin"]',
      ]);
    }
    const on = { 'enable-cors': 'true' };
    expectHostileValuesRejected('enable-cors', 'true');
    expectHostileValuesRejected('cors-allow-origin', 'https://a.test', on);
    expectHostileValuesRejected('cors-allow-methods', 'GET', on);
    expectHostileValuesRejected('cors-allow-headers', 'X-A', on);
    expectHostileValuesRejected('cors-allow-credentials', 'true', on);
    expectHostileValuesRejected('cors-max-age', '60', on);
    expectHostileValuesRejected('cors-expose-headers', 'X-A', on);
  });
});

// affinity: cookie: the parsed cookie, the per-cookie-name maps and hash line, the Set-Cookie directives,
// precedence over hashing, and hostile values refused.
import { expect } from 'chai';
import { compile } from '../../../src/pipeline/compile.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { affinityVariable } from '../../../src/model/nginx-model.js';
import { buildAnnotated, hostileValues, nginxKey, rejectionOf, renderedLocation, renderedUpstreams } from '../../support/annotation-cases.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { parseNginxConfig } from '../../support/nginx-config-tokens.js';

describe('annotation affinity', () => {
  it('hashes the upstream on the cookie variable and sets the cookie in each location, with the Ingress path', async () => {
    const objects = [
      ingress('app', {
        annotations: { [nginxKey('affinity')]: 'cookie', [nginxKey('session-cookie-name')]: 'route', [nginxKey('session-cookie-samesite')]: 'Strict' },
        rules: [{ host: 'app.test', paths: [{ path: '/shop', service: 'web' }] }],
      }),
      ingress('other', { annotations: { [nginxKey('affinity')]: 'cookie', [nginxKey('session-cookie-name')]: 'route' }, rules: [{ host: 'other.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }] }),
    ];
    const result = compile(snapshotOf(objects), await loadTemplates(), goldenOptions);
    const variable = affinityVariable('route');
    // One upstream for both Ingresses: same Service, same cookie.
    expect(result.model.upstreams.map((u) => u.name)).to.deep.equal([`default_web_80_cookie-${result.model.upstreams[0]?.name.slice(-8)}`]);
    expect(renderedUpstreams(result.rendered.config).values().next().value?.[0]).to.deep.equal(['hash', `$${variable}`, 'consistent']);
    expect(renderedLocation(result.rendered.config, 'app.test', '/shop/').slice(0, 2)).to.deep.equal([
      ['set', `$${variable}_cookie`, 'route=$request_id; Path=/shop; SameSite=Strict; HttpOnly$portico_affinity_secure'],
      ['add_header', 'Set-Cookie', `$${variable}_set`, 'always'],
    ]);
    // The maps appear once although two Ingresses use the cookie.
    const http = parseNginxConfig(result.rendered.config).statements.find((s) => s.name.text === 'http');
    const maps = (http?.block ?? []).filter((s) => s.name.text === 'map').map((s) => s.args[1]?.text);
    expect(maps.filter((m) => m?.startsWith('$portico_affinity'))).to.deep.equal([`$${variable}`, `$${variable}_set`, '$portico_affinity_secure']);
  });

  it('takes precedence over upstream-hash-by and load-balance', () => {
    const result = buildAnnotated({ affinity: 'cookie', 'upstream-hash-by': '$request_uri', 'load-balance': 'ewma' });
    expect(result.model.upstreams[0]?.policy?.balancing).to.deep.equal({ kind: 'cookie', cookie: 'INGRESSCOOKIE' });
  });

  it('uses / as the Path of regex paths, and max-age over expires', () => {
    const result = buildAnnotated({ affinity: 'cookie', 'use-regex': 'true', 'session-cookie-max-age': '60', 'session-cookie-expires': '120' }, { paths: [{ path: '/api/v[0-9]+', service: 'web' }] });
    const set = result.location('~* ^/api/v[0-9]+').directives.find((d) => d.name === 'set');
    expect(set?.args[1]).to.deep.include({ text: 'INGRESSCOOKIE=$request_id; Path=/; Max-Age=60; HttpOnly$portico_affinity_secure' });
  });

  it('refuses session-cookie keys without affinity: cookie', () => {
    const result = buildAnnotated({ 'session-cookie-name': 'route' });
    expect(rejectionOf(result, 'session-cookie-name')?.message).to.equal('rejected: session-cookie-name needs affinity: cookie');
  });

  const cases: readonly [string, readonly string[]][] = [
    ['affinity', ['ip', 'Cookie', 'cookie;']],
    ['affinity-mode', ['sticky', 'Balanced']],
    ['session-cookie-name', ['a b', 'a=b', 'a;b', 'a,b', 'x'.repeat(65), 'é']],
    ['session-cookie-path', ['app', '/a;b', '/a b', '/$uri']],
    ['session-cookie-domain', ['a;b', '.example.com', 'a b']],
    ['session-cookie-max-age', ['-1', '1.5', '1e3', '999999999999']],
    ['session-cookie-expires', ['never', '-5']],
    ['session-cookie-samesite', ['lax', 'none', 'Lax;']],
    ['session-cookie-secure', ['yes']],
  ];
  for (const [key, values] of cases) {
    for (const value of [...values, ...hostileValues]) {
      it(`rejects ${key}: ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
        const annotations = key === 'affinity' ? { affinity: value } : { affinity: 'cookie', [key]: value };
        const result = buildAnnotated(annotations);
        expect(rejectionOf(result, key)?.message).to.match(/^rejected: expected /);
        expect(result.model.servers).to.deep.equal([]);
      });
    }
  }
});

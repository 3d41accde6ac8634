// upstream-hash-by: the key grammar (closed list of variables and text), the hash line, one upstream per key.
import { expect } from 'chai';
import { compile } from '../../../src/pipeline/compile.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { buildAnnotated, hostileValues, nginxKey, rejectionOf, renderedUpstreams } from '../../support/annotation-cases.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';

describe('annotation upstream-hash-by', () => {
  const accepted: readonly [string, readonly string[]][] = [
    ['$request_uri', ['request_uri']],
    ['$remote_addr', ['remote_addr']],
    ['$binary_remote_addr', ['binary_remote_addr']],
    ['$host$uri', ['host', 'uri']],
    ['${request_uri}-text-value', ['request_uri']],
    ['$cookie_session_id', ['cookie_session_id']],
    ['$http_x_user_id', ['http_x_user_id']],
    ['tenant:$arg_tenant', ['arg_tenant']],
    ['$args', ['args']],
  ];
  for (const [value, variables] of accepted) {
    it(`accepts ${value}`, () => {
      const result = buildAnnotated({ 'upstream-hash-by': value });
      expect(result.errors()).to.deep.equal([]);
      const policy = result.model.upstreams[0]?.policy;
      expect(policy?.balancing).to.deep.equal({ kind: 'hash', key: { text: value, variables } });
    });
  }

  it('renders `hash "<key>" consistent` in an upstream named after the key, one per key', async () => {
    const objects = [
      ingress('by-uri', { annotations: { [nginxKey('upstream-hash-by')]: '$request_uri' }, rules: [{ host: 'a.test', paths: [{ service: 'web' }] }] }),
      ingress('by-uri-too', { annotations: { [nginxKey('upstream-hash-by')]: '$request_uri' }, rules: [{ host: 'b.test', paths: [{ service: 'web' }] }] }),
      ingress('by-user', { annotations: { [nginxKey('upstream-hash-by')]: '${http_x_user}-x' }, rules: [{ host: 'c.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
    ];
    const result = compile(snapshotOf(objects), await loadTemplates(), goldenOptions);
    const names = result.model.upstreams.map((u) => u.name);
    expect(names).to.have.length(2);
    for (const name of names) expect(name).to.match(/^default_web_80_hash-[0-9a-f]{8}$/);
    const lines = [...renderedUpstreams(result.rendered.config).values()].map((block) => block[0]);
    expect(lines).to.have.deep.members([
      ['hash', '$request_uri', 'consistent'],
      ['hash', '${http_x_user}-x', 'consistent'],
    ]);
  });

  it('wins over load-balance, as in ingress-nginx', () => {
    const result = buildAnnotated({ 'upstream-hash-by': '$request_uri', 'load-balance': 'ewma' });
    expect(result.model.upstreams[0]?.policy?.balancing.kind).to.equal('hash');
  });

  const refused = ['request_uri', '$request_body', '$secret', '$service_account_token', '$1', '$', '${request_uri', '$http_X_User', 'text only', '$uri?x', '$arg_', ...hostileValues];
  for (const value of refused) {
    it(`rejects ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'upstream-hash-by': value });
      expect(rejectionOf(result, 'upstream-hash-by')?.message).to.match(/^rejected: expected nginx variables and text/);
      expect(result.model.servers).to.deep.equal([]);
    });
  }
});

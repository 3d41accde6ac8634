// upstream-vhost: the Host header to the backend, with the inherited proxy headers repeated in the location.
import { expect } from 'chai';
import { compile } from '../../../src/pipeline/compile.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { buildAnnotated, hostileValues, nginxKey, rejectionOf, renderedLocation } from '../../support/annotation-cases.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';

describe('annotation upstream-vhost', () => {
  for (const value of ['api.internal', 'API.Internal:8080', 'web.default.svc.cluster.local', '10.0.0.1', '[fd00::1]:8443']) {
    it(`accepts ${value}`, () => {
      const result = buildAnnotated({ 'upstream-vhost': value });
      expect(result.errors()).to.deep.equal([]);
      expect(result.location('/').directives).to.deep.equal([{ name: 'proxy_set_header', args: [{ kind: 'keyword', text: 'Host' }, { kind: 'literal', text: value.toLowerCase() }] }]);
    });
  }

  it('repeats every inherited proxy header but Host in the location, which nginx would otherwise drop', async () => {
    const objects = [
      ingress('app', { annotations: { [nginxKey('upstream-vhost')]: 'api.internal' }, rules: [{ host: 'app.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
    ];
    const result = compile(snapshotOf(objects), await loadTemplates(), goldenOptions);
    const statements = renderedLocation(result.rendered.config, 'app.test', '/');
    const headers = statements.filter((s) => s[0] === 'proxy_set_header').map((s) => `${s[1]}: ${s[2]}`);
    expect(headers).to.include.members(['Host: api.internal', 'X-Forwarded-Host: $host', 'X-Forwarded-For: $remote_addr', 'X-Request-ID: $portico_request_id', 'Connection: $portico_connection']);
    expect(headers.filter((h) => h.startsWith('Host:'))).to.deep.equal(['Host: api.internal']);
    expect(headers).to.have.length(11);
  });

  it('sets grpc_set_header for a gRPC backend', () => {
    const result = buildAnnotated({ 'upstream-vhost': 'grpc.internal', 'backend-protocol': 'GRPC' });
    expect(result.location('/').directives.map((d) => d.name)).to.deep.equal(['grpc_set_header']);
  });

  for (const value of ['api.internal/x', 'http://api.internal', '$host', 'a..b', 'api.internal:99999', 'user@api', ...hostileValues]) {
    it(`rejects ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'upstream-vhost': value });
      expect(rejectionOf(result, 'upstream-vhost')?.message).to.equal('rejected: expected a host name or [IPv6] address, optionally with :port');
    });
  }
});

// default-backend and custom-http-errors: grammars, the fallback upstream, the interception directives and
// the named locations (one per Ingress, Service port and status, at server level).
import { expect } from 'chai';
import { errorLocationName } from '../../../src/model/nginx-model.js';
import { buildAnnotated, hostileValues, rejectionOf } from '../../support/annotation-cases.js';
import { endpoints, service } from '../../support/objects.js';

const errorService = [service('errors', { ports: [{ port: 8080 }, { port: 9090 }] }), endpoints('errors', { port: 3000, ready: ['10.0.0.9'] })];

describe('annotations default-backend and custom-http-errors', () => {
  it('intercepts the listed statuses (deduplicated, sorted) toward named locations proxying to the default backend', () => {
    const result = buildAnnotated({ 'default-backend': 'errors', 'custom-http-errors': '503,404, 503' }, { extra: errorService });
    expect(result.errors()).to.deep.equal([]);
    const ref = { kind: 'Ingress' as const, namespace: 'default', name: 'app' };
    const names = [404, 503].map((status) => errorLocationName(ref, 'web', '80', status));
    expect(result.location('/').directives.map((d) => [d.name, ...d.args.map((a) => ('text' in a ? a.text : ''))])).to.deep.equal([
      ['proxy_intercept_errors', 'on'],
      ['error_page', '404', '=', `@${names[0]}`],
      ['error_page', '503', '=', `@${names[1]}`],
    ]);
    const named = result.server().locations.filter((l) => l.modifier === '@');
    expect(named.map((l) => [l.path, l.action])).to.deep.equal(names.map((n) => [n, { kind: 'proxy', upstream: 'default_errors_8080' }]).sort());
  });

  it('uses the gRPC interception for gRPC backends', () => {
    const result = buildAnnotated({ 'default-backend': 'errors', 'custom-http-errors': '404', 'backend-protocol': 'GRPC' }, { extra: errorService });
    expect(result.location('/').directives[0]?.name).to.equal('grpc_intercept_errors');
  });

  it('default-backend alone: a Service without endpoints falls back to it, with a warning that says so', () => {
    const result = buildAnnotated({ 'default-backend': 'errors' }, { paths: [{ path: '/', service: 'missing' }], extra: errorService });
    expect(result.location('/').action).to.deep.equal({ kind: 'proxy', upstream: 'default_errors_8080' });
    expect(result.diagnostics.find((d) => d.code === 'SERVICE_NOT_FOUND')?.message).to.equal('Service missing does not exist; its paths go to the default-backend Service errors');
  });

  it('a missing default-backend Service changes nothing: the path answers 503', () => {
    const result = buildAnnotated({ 'default-backend': 'nowhere' }, { paths: [{ path: '/', service: 'missing' }] });
    expect(result.location('/').action).to.deep.equal({ kind: 'status', code: 503 });
  });

  it('refuses custom-http-errors without default-backend', () => {
    const result = buildAnnotated({ 'custom-http-errors': '404' });
    expect(rejectionOf(result, 'custom-http-errors')?.message).to.contain('needs the default-backend annotation');
  });

  for (const value of ['200', '399', '600', '404;', '404 503', '4o4', '', ...hostileValues]) {
    it(`rejects custom-http-errors ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'default-backend': 'errors', 'custom-http-errors': value }, { extra: errorService });
      expect(rejectionOf(result, 'custom-http-errors')?.message).to.match(/^rejected: expected a comma-separated list of HTTP status code/);
    });
  }

  for (const value of ['other/errors', 'Errors', 'errors.svc', '-x', 'x'.repeat(64), ...hostileValues]) {
    it(`rejects default-backend ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'default-backend': value });
      expect(rejectionOf(result, 'default-backend')?.message).to.equal("rejected: expected a Service name of the Ingress's namespace");
    });
  }
});

// Unit tests for collectRoutes: merging paths across Ingresses, conflicts to the oldest, path normalization, default backends.
import { expect } from 'chai';
import { collectRoutes, type HostRoutes, type RouteTable } from '../../../src/build/collect-routes.js';
import { compareIngressAge } from '../../../src/build/ingress-order.js';
import type { Ingress } from '../../../src/model/kube.js';
import { ingress, type IngressSpec } from '../../support/objects.js';

/** collectRoutes wants its input oldest first, as buildModel sorts it. */
function collect(...ingresses: Ingress[]): RouteTable {
  return collectRoutes([...ingresses].sort(compareIngressAge), () => ({}));
}

function summary(host: HostRoutes | undefined): string[] {
  return (host?.routes ?? []).map((r) => `${r.match} ${r.path} → ${r.ingress.metadata.namespace}/${r.ingress.metadata.name}:${r.backend.serviceName}`);
}

const onHost = (name: string, spec: Omit<IngressSpec, 'rules'> & { path?: string; pathType?: 'Exact' | 'Prefix' | 'ImplementationSpecific'; service?: string }): Ingress =>
  ingress(name, {
    ...spec,
    rules: [{ host: 'a.example.com', paths: [{ path: spec.path ?? '/api', pathType: spec.pathType ?? 'Prefix', service: spec.service ?? name }] }],
  });

describe('collectRoutes', () => {
  describe('conflicts', () => {
    it('gives a contested path to the older Ingress by creationTimestamp, whatever the input order', () => {
      const older = onHost('zeta', { created: '2024-01-01T00:00:00Z' });
      const newer = onHost('alpha', { created: '2024-06-01T00:00:00Z' });
      for (const table of [collect(older, newer), collect(newer, older)]) {
        expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /api → default/zeta:zeta']);
        expect(table.diagnostics).to.have.length(1);
        expect(table.diagnostics[0]).to.deep.include({
          severity: 'warning',
          code: 'PATH_CONFLICT',
          object: { kind: 'Ingress', namespace: 'default', name: 'alpha' },
          field: 'spec.rules[0].http.paths[0]',
        });
        expect(table.diagnostics[0]?.message).to.equal('path /api (Prefix) on host a.example.com is already served by Ingress default/zeta (older); this one is ignored');
      }
    });

    it('breaks a creationTimestamp tie by namespace, then name', () => {
      const created = '2024-01-01T00:00:00Z';
      const table = collect(onHost('a', { namespace: 'shop', created }), onHost('z', { namespace: 'blog', created }), onHost('b', { namespace: 'blog', created }));
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /api → blog/b:b']);
      expect(table.diagnostics.map((d) => `${d.object.namespace}/${d.object.name}`)).to.deep.equal(['blog/z', 'shop/a']);
    });

    it('names an earlier entry of the same Ingress as the owner of a repeated path', () => {
      const twice = ingress('web', {
        rules: [{ host: 'a.example.com', paths: [{ path: '/api', service: 'one' }, { path: '/api/', service: 'two' }] }],
      });
      const table = collect(twice);
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /api → default/web:one']);
      expect(table.diagnostics[0]?.field).to.equal('spec.rules[0].http.paths[1]');
      expect(table.diagnostics[0]?.message).to.contain('an earlier entry of this Ingress (spec.rules[0].http.paths[0])');
    });

    it('keeps Exact and Prefix of the same path as two routes', () => {
      const table = collect(onHost('a', { pathType: 'Exact' }), onHost('b', { pathType: 'Prefix' }));
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['exact /api → default/a:a', 'prefix /api → default/b:b']);
      expect(table.diagnostics).to.deep.equal([]);
    });

    it('does not let the same path on different hosts conflict', () => {
      const other = ingress('b', { rules: [{ host: 'b.example.com', paths: [{ path: '/api', service: 'b' }] }] });
      expect(collect(onHost('a', {}), other).diagnostics).to.deep.equal([]);
    });

    it('merges hosts case-insensitively, so A.example.com and a.example.com conflict', () => {
      const upper = ingress('b', { created: '2025-01-01T00:00:00Z', rules: [{ host: 'A.Example.com', paths: [{ path: '/api', service: 'b' }] }] });
      const table = collect(onHost('a', { created: '2024-01-01T00:00:00Z' }), upper);
      expect([...table.byHost.keys()]).to.deep.equal(['a.example.com']);
      expect(table.diagnostics.map((d) => d.code)).to.deep.equal(['PATH_CONFLICT']);
    });
  });

  describe('paths', () => {
    it('treats Prefix /foo and /foo/ as the same path', () => {
      const table = collect(onHost('a', { path: '/foo/', created: '2024-01-01T00:00:00Z' }), onHost('b', { path: '/foo', created: '2025-01-01T00:00:00Z' }));
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /foo → default/a:a']);
      expect(table.diagnostics.map((d) => d.code)).to.deep.equal(['PATH_CONFLICT']);
    });

    it('trims every trailing slash of a Prefix, but keeps the root', () => {
      expect(summary(collect(onHost('a', { path: '/foo///' })).byHost.get('a.example.com'))).to.deep.equal(['prefix /foo → default/a:a']);
      expect(summary(collect(onHost('a', { path: '///' })).byHost.get('a.example.com'))).to.deep.equal(['prefix / → default/a:a']);
    });

    it('keeps the trailing slash of an Exact path', () => {
      expect(summary(collect(onHost('a', { path: '/foo/', pathType: 'Exact' })).byHost.get('a.example.com'))).to.deep.equal(['exact /foo/ → default/a:a']);
    });

    it('treats ImplementationSpecific as Prefix', () => {
      const route = collect(onHost('a', { path: '/foo/', pathType: 'ImplementationSpecific' })).byHost.get('a.example.com')?.routes[0];
      expect(route).to.deep.include({ match: 'prefix', path: '/foo', pathType: 'ImplementationSpecific' });
    });

    it('reads an omitted path as /', () => {
      const base = onHost('a', {});
      const backend = { serviceName: 'a', port: { number: 80 } };
      const omitted: Ingress = { ...base, rules: [{ host: 'a.example.com', paths: [{ path: undefined, pathType: 'Prefix', backend }] }] };
      expect(summary(collect(omitted).byHost.get('a.example.com'))).to.deep.equal(['prefix / → default/a:a']);
    });

    it('files rules without host under the catch-all host ""', () => {
      const table = collect(ingress('a', { rules: [{ paths: [{ path: '/x', service: 'a' }] }] }));
      expect([...table.byHost.keys()]).to.deep.equal(['']);
    });

    it('skips a resource backend with a warning', () => {
      const base = onHost('a', {});
      const withResource: Ingress = { ...base, rules: [{ host: 'a.example.com', paths: [{ path: '/r', pathType: 'Prefix', backend: undefined }] }] };
      const table = collect(withResource);
      expect(table.byHost.size).to.equal(0);
      expect(table.diagnostics).to.deep.equal([
        {
          severity: 'warning',
          code: 'UNSUPPORTED_BACKEND',
          object: { kind: 'Ingress', namespace: 'default', name: 'a' },
          field: 'spec.rules[0].http.paths[0].backend',
          message: 'resource backends are not supported; this path is not served',
        },
      ]);
    });
  });

  describe('default backends', () => {
    it('gives the catch-all server to the oldest Ingress with a default backend', () => {
      const older = ingress('zeta', { created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'old' } });
      const newer = ingress('alpha', { created: '2024-06-01T00:00:00Z', defaultBackend: { service: 'new' } });
      const table = collect(newer, older);
      expect(summary(table.byHost.get(''))).to.deep.equal(['prefix / → default/zeta:old']);
      expect(table.diagnostics).to.have.length(1);
      expect(table.diagnostics[0]).to.deep.include({ code: 'DEFAULT_BACKEND_CONFLICT', field: 'spec.defaultBackend', object: { kind: 'Ingress', namespace: 'default', name: 'alpha' } });
      expect(table.diagnostics[0]?.message).to.equal('the default backend on rules without host is already served by Ingress default/zeta (older); this one is ignored');
    });

    it('does not warn when the same default backend is repeated', () => {
      const a = ingress('a', { created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'fallback', port: 8080 } });
      const b = ingress('b', { created: '2024-06-01T00:00:00Z', defaultBackend: { service: 'fallback', port: 8080 } });
      expect(collect(a, b).diagnostics).to.deep.equal([]);
    });

    it('warns when the repeated default backend names another port', () => {
      const a = ingress('a', { created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'fallback', port: 8080 } });
      const b = ingress('b', { created: '2024-06-01T00:00:00Z', defaultBackend: { service: 'fallback', port: 9090 } });
      expect(collect(a, b).diagnostics.map((d) => d.code)).to.deep.equal(['DEFAULT_BACKEND_CONFLICT']);
    });

    it('warns when the same Service name lives in another namespace', () => {
      const a = ingress('a', { namespace: 'one', created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'fallback' } });
      const b = ingress('b', { namespace: 'two', created: '2024-06-01T00:00:00Z', defaultBackend: { service: 'fallback' } });
      expect(collect(a, b).diagnostics.map((d) => d.code)).to.deep.equal(['DEFAULT_BACKEND_CONFLICT']);
    });

    it('serves its own hosts that have no root rule', () => {
      const a = ingress('a', { defaultBackend: { service: 'fallback' }, rules: [{ host: 'a.example.com', paths: [{ path: '/api', service: 'api' }] }] });
      const table = collect(a);
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /api → default/a:api', 'prefix / → default/a:fallback']);
      expect(summary(table.byHost.get(''))).to.deep.equal(['prefix / → default/a:fallback']);
      expect(table.byHost.get('a.example.com')?.routes[1]?.pathType).to.equal('DefaultBackend');
    });

    it('leaves a host whose rules serve the root to those rules, even from another Ingress', () => {
      const a = ingress('a', { created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'fallback' }, rules: [{ host: 'a.example.com', paths: [{ path: '/api', service: 'api' }] }] });
      const b = ingress('b', { created: '2024-06-01T00:00:00Z', rules: [{ host: 'a.example.com', paths: [{ path: '/', service: 'root' }] }] });
      const table = collect(a, b);
      expect(summary(table.byHost.get('a.example.com'))).to.deep.equal(['prefix /api → default/a:api', 'prefix / → default/b:root']);
      expect(table.diagnostics).to.deep.equal([]);
    });

    it('does not serve hosts of other Ingresses', () => {
      const a = ingress('a', { defaultBackend: { service: 'fallback' } });
      const b = ingress('b', { rules: [{ host: 'b.example.com', paths: [{ path: '/api', service: 'api' }] }] });
      expect(summary(collect(a, b).byHost.get('b.example.com'))).to.deep.equal(['prefix /api → default/b:api']);
    });

    it('leaves the catch-all to a root rule without host', () => {
      const a = ingress('a', { created: '2024-01-01T00:00:00Z', defaultBackend: { service: 'fallback' } });
      const b = ingress('b', { created: '2024-06-01T00:00:00Z', rules: [{ paths: [{ path: '/', service: 'root' }] }] });
      expect(summary(collect(a, b).byHost.get(''))).to.deep.equal(['prefix / → default/b:root']);
    });
  });
});

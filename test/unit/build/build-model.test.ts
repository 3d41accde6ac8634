// Unit tests for buildModel as a whole: the same objects in any order give the same model and nginx.conf, and a bad Ingress stays in its own lane.
import { expect } from 'chai';
import { buildModel } from '../../../src/build/build-model.js';
import type { Ingress, KubeObject } from '../../../src/model/kube.js';
import type { VirtualServer } from '../../../src/model/nginx-model.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { compile } from '../../../src/pipeline/compile.js';
import type { ConfigTemplate } from '../../../src/render/render-config.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { makeCertificate } from '../../support/certificates.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, endpoints, ingress, ingressClass, meta, service, tlsSecret } from '../../support/objects.js';
import { seededRandom } from '../../support/seeded-random.js';


function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** A cluster that exercises every step: classes, conflicts, ties, default backends, TLS, slices, settings. */
function cluster(): KubeObject[] {
  const shopCertificate = makeCertificate({ hosts: ['shop.example.com', '*.shop.example.com'], keyType: 'ecdsa' });
  const tie = '2024-05-05T00:00:00Z';
  return [
    ingressClass('portico', 'portico.dev/ingress-controller', true),
    ingressClass('nginx', 'k8s.io/ingress-nginx'),
    ingress('shop', {
      namespace: 'shop',
      created: '2024-01-01T00:00:00Z',
      rules: [
        { host: 'shop.example.com', paths: [{ path: '/', service: 'front' }, { path: '/api/', service: 'api', port: 'http' }, { path: '/cart/', pathType: 'Exact', service: 'api', port: 'http' }] },
        { host: '*.shop.example.com', paths: [{ path: '/', service: 'front' }] },
      ],
      tls: [{ hosts: ['shop.example.com', '*.shop.example.com'], secretName: 'shop-tls' }],
    }),
    ingress('shop-late', { namespace: 'shop', created: '2024-09-01T00:00:00Z', rules: [{ host: 'shop.example.com', paths: [{ path: '/api', service: 'other' }] }] }),
    ingress('tie-b', { namespace: 'blog', created: tie, rules: [{ host: 'blog.example.com', paths: [{ path: '/', service: 'b' }] }], defaultBackend: { service: 'b' } }),
    ingress('tie-a', { namespace: 'blog', created: tie, rules: [{ host: 'blog.example.com', paths: [{ path: '/', service: 'a' }] }], defaultBackend: { service: 'a' } }),
    ingress('classless', { namespace: 'blog', className: null, rules: [{ host: 'classless.example.com', paths: [{ path: '/x', pathType: 'Exact', service: 'a' }] }] }),
    ingress('theirs', { namespace: 'blog', className: 'nginx', rules: [{ host: 'theirs.example.com', paths: [{ service: 'a' }] }] }),
    ingress('broken', { namespace: 'blog', rules: [{ host: 'broken.example.com', paths: [{ path: '/a;b', service: 'a' }] }] }),
    ingress('no-secret', { namespace: 'blog', rules: [{ host: 'nosecret.example.com', paths: [{ service: 'missing' }] }], tls: [{ hosts: [], secretName: 'absent' }] }),
    service('front', { namespace: 'shop' }),
    service('api', { namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 'web' }], affinity: 'ClientIP' }),
    service('a', { namespace: 'blog' }),
    service('b', { namespace: 'blog' }),
    endpointSlice('front', { namespace: 'shop', name: 'front-1', port: 80, endpoints: [{ address: '10.1.0.2' }, { address: '10.1.0.1' }] }),
    endpointSlice('front', { namespace: 'shop', name: 'front-2', port: 80, endpoints: [{ address: '10.1.0.1' }, { address: 'fd00::5' }, { address: '10.1.0.3', ready: false }] }),
    endpointSlice('api', { namespace: 'shop', name: 'api-1', portName: 'http', port: 3000, endpoints: [{ address: '10.2.0.1' }] }),
    endpoints('a', { namespace: 'blog', port: 8080, ready: ['10.3.0.2', '10.3.0.1'] }),
    endpoints('b', { namespace: 'blog', port: 8080, ready: [] }),
    tlsSecret('shop-tls', shopCertificate, 'shop'),
    { kind: 'ConfigMap', metadata: meta('portico', 'ops'), data: { 'proxy-read-timeout': '90', 'ssl-redirect': 'maybe', 'made-up': 'x' } },
  ];
}

describe('buildModel', () => {
  let template: ConfigTemplate;

  before(async () => {
    template = await loadTemplates();
  });

  describe('determinism', () => {
    it('gives deep-equal models, diagnostics and identical nginx.conf for the objects in any order', () => {
      const objects = cluster();
      const baseline = compile(snapshotOf(objects), template, goldenOptions);
      // The baseline must exercise the build, or agreement proves nothing.
      expect(baseline.model.servers.map((s) => s.host)).to.include.members(['shop.example.com', '*.shop.example.com', 'blog.example.com']);
      expect(baseline.diagnostics.map((d) => d.code)).to.include.members(['PATH_CONFLICT', 'IGNORED_CLASS', 'INVALID_PATH', 'TLS_SECRET_NOT_FOUND', 'INVALID_SETTING']);
      for (let seed = 1; seed <= 25; seed++) {
        const again = compile(snapshotOf(shuffled(objects, seed)), template, goldenOptions);
        expect(again.model, `seed ${seed}`).to.deep.equal(baseline.model);
        expect(again.diagnostics, `seed ${seed}`).to.deep.equal(baseline.diagnostics);
        expect(again.rendered.config, `seed ${seed}`).to.equal(baseline.rendered.config);
        expect(again.rendered.files, `seed ${seed}`).to.deep.equal(baseline.rendered.files);
      }
    });

    it('settles a creationTimestamp tie by name, whatever the order', () => {
      for (let seed = 1; seed <= 10; seed++) {
        const { model } = buildModel(snapshotOf(shuffled(cluster(), seed)), goldenOptions);
        const root = model.servers.find((s) => s.host === 'blog.example.com')?.locations.find((l) => l.path === '/');
        expect(root?.route?.ingress.name, `seed ${seed}`).to.equal('tie-a');
        expect(model.defaultServer.locations.find((l) => l.path === '/')?.route?.service, `seed ${seed}`).to.equal('a');
      }
    });

    it('builds the same model twice from the same snapshot', () => {
      const snapshot = snapshotOf(cluster());
      expect(buildModel(snapshot, goldenOptions)).to.deep.equal(buildModel(snapshot, goldenOptions));
    });
  });

  describe('isolation', () => {
    const good = (): KubeObject[] => [
      ingress('good', {
        namespace: 'team-a',
        created: '2025-01-01T00:00:00Z',
        rules: [{ host: 'a.example.com', paths: [{ path: '/', service: 'web' }, { path: '/api', service: 'api' }] }],
      }),
      service('web', { namespace: 'team-a' }),
      service('api', { namespace: 'team-a' }),
      endpoints('web', { namespace: 'team-a', port: 8080, ready: ['10.0.0.1'] }),
      endpoints('api', { namespace: 'team-a', port: 8080, ready: ['10.0.0.2'] }),
    ];

    const serverOf = (objects: readonly KubeObject[], host: string): VirtualServer | undefined =>
      buildModel(snapshotOf(objects), goldenOptions).model.servers.find((s) => s.host === host);

    /** Ingresses on b.example.com, all older than the good one, each wrong in its own way. */
    const bad: readonly [string, Ingress][] = [
      ['an invalid path', ingress('bad-path', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ path: '/x{', service: 'web' }] }] })],
      ['an invalid host', ingress('bad-host', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com;', paths: [{ service: 'web' }] }] })],
      ['an invalid Service name', ingress('bad-svc', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ service: 'Web#' }] }] })],
      ['a missing Service', ingress('no-svc', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ path: '/api', service: 'nothing' }] }] })],
      ['a port the Service lacks', ingress('no-port', { namespace: 'team-a', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ service: 'web', port: 9 }] }] })],
      ['a self-conflict', ingress('twice', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ path: '/api', service: 'x' }, { path: '/api/', service: 'y' }] }] })],
      ['a missing TLS Secret', ingress('no-tls', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ service: 'web' }] }], tls: [{ hosts: [], secretName: 'gone' }] })],
      ['an invalid rule beside one for a.example.com', ingress('mixed', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'a.example.com', paths: [{ path: '/api', service: 'evil' }] }, { host: 'b.example.com', paths: [{ path: '/a b', service: 'evil' }] }] })],
      ['a default backend', ingress('fallback', { namespace: 'team-b', created: '2020-01-01T00:00:00Z', rules: [{ host: 'b.example.com', paths: [{ path: '/x', service: 'web' }] }], defaultBackend: { service: 'nothing' } })],
    ];

    for (const [what, badIngress] of bad) {
      it(`keeps the a.example.com server unchanged beside an Ingress with ${what}`, () => {
        const baseline = serverOf(good(), 'a.example.com');
        expect(baseline?.locations.map((l) => `${l.modifier}${l.path}`)).to.deep.equal(['=/api', '/', '/api/']);
        expect(serverOf([...good(), badIngress], 'a.example.com')).to.deep.equal(baseline);
      });
    }

    it('keeps the a.example.com server unchanged beside all of them at once, and reports each', () => {
      const baseline = serverOf(good(), 'a.example.com');
      const result = buildModel(snapshotOf([...good(), ...bad.map(([, i]) => i)]), goldenOptions);
      expect(result.model.servers.find((s) => s.host === 'a.example.com')).to.deep.equal(baseline);
      const blamed = new Set(result.diagnostics.filter((d) => d.object.kind === 'Ingress').map((d) => d.object.name));
      expect([...blamed].sort()).to.deep.equal(['bad-host', 'bad-path', 'bad-svc', 'fallback', 'mixed', 'no-port', 'no-svc', 'no-tls', 'twice']);
      expect(blamed.has('good')).to.equal(false);
    });

    it('drops a rejected Ingress whole, its valid rules included', () => {
      const { model, diagnostics } = buildModel(snapshotOf([...good(), ...bad.filter(([, i]) => i.metadata.name === 'mixed').map(([, i]) => i)]), goldenOptions);
      expect(model.servers.map((s) => s.host)).to.deep.equal(['a.example.com']);
      expect(diagnostics.filter((d) => d.object.name === 'mixed').map((d) => `${d.code} ${d.field}`)).to.deep.equal(['INVALID_PATH spec.rules[1].http.paths[0].path']);
    });
  });

  describe('diagnostics', () => {
    it('reports a backend problem once per Ingress, on the first path that uses it', () => {
      const twoPaths = ingress('web', { rules: [{ host: 'a.example.com', paths: [{ path: '/a', service: 'gone' }, { path: '/b', service: 'gone' }] }] });
      const { diagnostics } = buildModel(snapshotOf([twoPaths]), goldenOptions);
      expect(diagnostics.map((d) => `${d.code} ${d.field}`)).to.deep.equal(['SERVICE_NOT_FOUND spec.rules[0].http.paths[0].backend']);
    });

    it('sorts diagnostics by object, then field', () => {
      const { diagnostics } = buildModel(snapshotOf(cluster()), goldenOptions);
      const keys = diagnostics.map((d) => `${d.object.kind}\u0000${d.object.namespace}\u0000${d.object.name}\u0000${d.field}`);
      expect(keys).to.deep.equal([...keys].sort());
    });
  });
});

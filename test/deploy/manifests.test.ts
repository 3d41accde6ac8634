// deploy/ parses, builds the way kustomize would (base and overlays), and every object it installs is valid
// for the Kubernetes API: schema (types, required fields, enums) and no unknown field.
import { expect } from 'chai';
import { idOf, kustomizeBuild, applyJsonPatch, type ManifestObject } from './kustomize-build.js';
import { INSTALLS, objectNamed } from './installs.js';
import { validateManifest } from './validate-manifest.js';

describe('deploy/ manifests', () => {
  for (const install of INSTALLS) {
    describe(install.name, () => {
      let objects: ManifestObject[];
      before(async () => {
        objects = await kustomizeBuild(install.dir);
      });

      it('builds, and every object is valid for the Kubernetes API', () => {
        expect(objects.length).to.be.greaterThan(5);
        const problems = objects.flatMap((object) => validateManifest(object).map((problem) => `${idOf(object)}: ${problem}`));
        expect(problems).to.deep.equal([]);
      });

      it('puts every namespaced object into a namespace, and cluster-wide objects into none', () => {
        const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass']);
        for (const object of objects) {
          expect(object.metadata.namespace === undefined, idOf(object)).to.equal(clusterScoped.has(object.kind));
        }
      });
    });
  }

  it('the DaemonSet variant runs the same pod as the Deployment, without a disruption budget', async () => {
    const base = await kustomizeBuild(INSTALLS[0]?.dir ?? '');
    const daemonset = await kustomizeBuild(INSTALLS[1]?.dir ?? '');
    const deploymentSpec = objectNamed(base, 'Deployment', 'portico-controller')['spec'] as { template: { spec: Record<string, unknown> } };
    const daemonSetSpec = objectNamed(daemonset, 'DaemonSet', 'portico-controller')['spec'] as { template: { spec: Record<string, unknown> } };
    const { affinity: _affinity, ...podWithoutAffinity } = deploymentSpec.template.spec;
    expect(daemonSetSpec.template.spec).to.deep.equal(podWithoutAffinity);
    expect(daemonset.filter((o) => o.kind === 'PodDisruptionBudget')).to.deep.equal([]);
    expect(daemonset.filter((o) => o.kind === 'Deployment')).to.deep.equal([]);
  });

  describe('the checks themselves', () => {
    const service = (spec: Record<string, unknown>): ManifestObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'y' }, spec });

    it('report a misspelt field, a wrong type and a value outside an enum', () => {
      expect(validateManifest(service({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] }))).to.deep.equal([]);
      expect(validateManifest(service({ ports: [{ port: 80, nodeport: 30080 }] }))).to.deep.equal(['spec.ports[0].nodeport: unknown field (V1ServicePort)']);
      expect(validateManifest(service({ ports: [{ port: '80' }] }))).to.deep.equal(['data/spec/ports/0/port must be integer']);
      expect(validateManifest(service({ externalTrafficPolicy: 'local' }))).to.deep.equal(['data/spec/externalTrafficPolicy must be equal to one of the allowed values']);
      expect(validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).to.deep.equal(['v1 Pod is not a kind these tests know']);
    });

    it('apply JSON patches as RFC 6902 says, and refuse a path that is not there', () => {
      const patched = applyJsonPatch({ a: { list: [1, 2] }, b: 1 }, [
        { op: 'add', path: '/a/list/-', value: 3 },
        { op: 'add', path: '/a/list/0', value: 0 },
        { op: 'remove', path: '/b' },
        { op: 'add', path: '/a/x~1y', value: 'old' },
        { op: 'replace', path: '/a/x~1y', value: 'new' },
      ], 'test');
      expect(patched).to.deep.equal({ a: { list: [0, 1, 2, 3], 'x/y': 'new' } });
      expect(() => applyJsonPatch({ a: {} }, [{ op: 'remove', path: '/a/missing' }], 'test')).to.throw(/does not exist/);
    });
  });
});

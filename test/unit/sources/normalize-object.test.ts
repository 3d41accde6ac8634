// Unit tests for normalizeObject: kinds understood or skipped, defaults, decoding, and malformed shapes.
import { expect } from 'chai';
import type { EndpointSlice, Ingress, KubeObject, Secret, Service } from '../../../src/model/kube.js';
import { normalizeObject, type NormalizeResult } from '../../../src/sources/normalize-object.js';

function expectOk(result: NormalizeResult): KubeObject {
  if (result.status !== 'ok') expect.fail(`expected ok, got ${JSON.stringify(result)}`);
  return result.object;
}

function expectInvalid(result: NormalizeResult): string {
  if (result.status !== 'invalid') expect.fail(`expected invalid, got ${JSON.stringify(result)}`);
  return result.reason;
}

function rawIngress(spec: unknown, metadata: Record<string, unknown> = { name: 'web', namespace: 'shop' }): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec };
}

function rawPath(path: Record<string, unknown>): Record<string, unknown> {
  return rawIngress({ rules: [{ host: 'a.example.com', http: { paths: [path] } }] });
}

const goodBackend = { service: { name: 'web', port: { number: 80 } } };

describe('normalizeObject', () => {
  describe('kinds and apiVersions', () => {
    const understood: readonly [string, string][] = [
      ['networking.k8s.io/v1', 'Ingress'],
      ['networking.k8s.io/v1', 'IngressClass'],
      ['v1', 'Service'],
      ['v1', 'Endpoints'],
      ['v1', 'Secret'],
      ['v1', 'ConfigMap'],
      ['discovery.k8s.io/v1', 'EndpointSlice'],
    ];
    for (const [apiVersion, kind] of understood) {
      it(`understands ${apiVersion} ${kind}`, () => {
        const spec = kind === 'Ingress' ? {} : undefined;
        const object = expectOk(normalizeObject({ apiVersion, kind, metadata: { name: 'x' }, ...(spec === undefined ? {} : { spec }) }));
        expect(object.kind).to.equal(kind);
      });
    }

    const skipped: readonly [string, string][] = [
      ['extensions/v1beta1', 'Ingress'],
      ['networking.k8s.io/v1beta1', 'Ingress'],
      ['discovery.k8s.io/v1beta1', 'EndpointSlice'],
      ['apps/v1', 'Deployment'],
      ['v1', 'Pod'],
      ['v1', 'Ingress'],
      ['networking.k8s.io/v1', 'Service'],
    ];
    for (const [apiVersion, kind] of skipped) {
      it(`skips ${apiVersion} ${kind}, naming both`, () => {
        expect(normalizeObject({ apiVersion, kind, metadata: { name: 'x' } })).to.deep.equal({ status: 'skipped', kind: `${apiVersion} ${kind}` });
      });
    }

    it('skips non-objects and objects without kind', () => {
      expect(normalizeObject('text').status).to.equal('skipped');
      expect(normalizeObject(null).status).to.equal('skipped');
      expect(normalizeObject([{ kind: 'Service' }]).status).to.equal('skipped');
      expect(normalizeObject({ apiVersion: 'v1', metadata: { name: 'x' } })).to.deep.equal({ status: 'skipped', kind: 'unknown' });
    });

    it('skips a kind without apiVersion unless the caller vouches for it', () => {
      expect(normalizeObject({ kind: 'Service', metadata: { name: 'x' } }).status).to.equal('skipped');
      expect(expectOk(normalizeObject({ kind: 'Service', metadata: { name: 'x' } }, 'Service')).kind).to.equal('Service');
    });

    it('uses the fallback kind for list items that carry none', () => {
      expect(expectOk(normalizeObject({ metadata: { name: 'x' } }, 'ConfigMap')).kind).to.equal('ConfigMap');
    });
  });

  describe('metadata', () => {
    it('defaults the namespace to "default"', () => {
      expect(expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).metadata.namespace).to.equal('default');
      expect(expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: '' } })).metadata.namespace).to.equal(
        'default',
      );
    });

    it('keeps an explicit namespace', () => {
      expect(expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } })).metadata.namespace).to.equal(
        'shop',
      );
    });

    it('treats IngressClass as cluster-scoped, dropping any namespace', () => {
      const object = expectOk(
        normalizeObject({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portico', namespace: 'shop' }, spec: { controller: 'c' } }),
      );
      expect(object.metadata.namespace).to.equal('');
      expect(object).to.deep.include({ controller: 'c' });
    });

    it('rejects an object without a name', () => {
      const result = normalizeObject({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop' } });
      expect(result).to.deep.equal({ status: 'invalid', kind: 'Service', namespace: 'shop', name: '', reason: 'metadata.name is missing' });
    });

    it('normalizes a Date and the equivalent string creationTimestamp the same way', () => {
      const fromDate = expectOk(
        normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: new Date('2024-03-01T10:20:30.000Z') } }),
      );
      const fromString = expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: '2024-03-01T10:20:30Z' } }));
      expect(fromDate.metadata.creationTimestamp).to.equal('2024-03-01T10:20:30Z');
      expect(fromString.metadata.creationTimestamp).to.equal('2024-03-01T10:20:30Z');
    });

    it('normalizes a timestamp with an offset to UTC', () => {
      const object = expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: '2024-03-01T12:20:30+02:00' } }));
      expect(object.metadata.creationTimestamp).to.equal('2024-03-01T10:20:30Z');
    });

    it('leaves a missing creationTimestamp empty', () => {
      expect(expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).metadata.creationTimestamp).to.equal('');
    });

    it('rejects a creationTimestamp that is not a timestamp', () => {
      expect(expectInvalid(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', creationTimestamp: 'yesterday' } }))).to.contain(
        'metadata.creationTimestamp',
      );
    });

    it('turns number and boolean annotation values into strings and rejects nested ones', () => {
      const object = expectOk(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { a: 1, b: true, c: 'x' } } }));
      expect(object.metadata.annotations).to.deep.equal({ a: '1', b: 'true', c: 'x' });
      expect(expectInvalid(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { a: { b: 1 } } } }))).to.equal(
        'metadata.annotations.a must be a string',
      );
    });

    it('reports a namespace of the wrong type as invalid instead of throwing', () => {
      // A YAML `namespace: 123` parses as a number.
      const result = normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 123 } });
      expect(result.status).to.equal('invalid');
    });
  });

  describe('Ingress', () => {
    it('normalizes rules, paths, backends, TLS and the class name', () => {
      const object = expectOk(
        normalizeObject(
          rawIngress({
            ingressClassName: 'portico',
            defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
            rules: [{ host: 'a.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: goodBackend }] } }, { http: null }],
            tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }],
          }),
        ),
      ) as Ingress;
      expect(object.ingressClassName).to.equal('portico');
      expect(object.defaultBackend).to.deep.equal({ serviceName: 'fallback', port: { name: 'http' } });
      expect(object.rules).to.deep.equal([
        { host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', backend: { serviceName: 'web', port: { number: 80 } } }] },
        { host: undefined, paths: [] },
      ]);
      expect(object.tls).to.deep.equal([{ hosts: ['a.example.com'], secretName: 'a-tls' }]);
    });

    it('keeps an omitted path undefined', () => {
      const object = expectOk(normalizeObject(rawPath({ pathType: 'Prefix', backend: goodBackend }))) as Ingress;
      expect(object.rules[0]?.paths[0]?.path).to.equal(undefined);
    });

    it('gives a resource backend no service backend', () => {
      const object = expectOk(
        normalizeObject(rawPath({ path: '/', pathType: 'Prefix', backend: { resource: { apiGroup: 'x', kind: 'Bucket', name: 'b' } } })),
      ) as Ingress;
      expect(object.rules[0]?.paths[0]?.backend).to.equal(undefined);
    });

    it('rejects rules that are not a list, naming spec.rules', () => {
      expect(expectInvalid(normalizeObject(rawIngress({ rules: { host: 'a' } })))).to.equal('spec.rules must be a list');
    });

    it('rejects paths that are not a list, naming the field', () => {
      expect(expectInvalid(normalizeObject(rawIngress({ rules: [{ http: { paths: 'nope' } }] })))).to.equal('spec.rules[0].http.paths must be a list');
    });

    it('rejects an unknown pathType, naming the path', () => {
      expect(expectInvalid(normalizeObject(rawPath({ path: '/', pathType: 'Regex', backend: goodBackend })))).to.equal(
        'spec.rules[0].http.paths[0].pathType must be Exact, Prefix or ImplementationSpecific',
      );
    });

    it('rejects a missing pathType', () => {
      expect(expectInvalid(normalizeObject(rawPath({ path: '/', backend: goodBackend })))).to.contain('spec.rules[0].http.paths[0].pathType');
    });

    it('rejects a missing service name, naming the field', () => {
      expect(expectInvalid(normalizeObject(rawPath({ path: '/', pathType: 'Prefix', backend: { service: { port: { number: 80 } } } })))).to.equal(
        'spec.rules[0].http.paths[0].backend.service.name is missing',
      );
    });

    it('rejects a service port with neither number nor name', () => {
      expect(expectInvalid(normalizeObject(rawPath({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } })))).to.equal(
        'spec.rules[0].http.paths[0].backend.service.port needs a number or a name',
      );
    });

    it('rejects a port number written as a string', () => {
      expect(
        expectInvalid(normalizeObject(rawPath({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: '80' } } } }))),
      ).to.contain('backend.service.port');
    });

    it('rejects a host that is not a string, naming the field', () => {
      expect(expectInvalid(normalizeObject(rawIngress({ rules: [{ host: 42 }] })))).to.equal('spec.rules[0].host must be a string');
    });

    it('rejects a TLS host that is not a string', () => {
      expect(expectInvalid(normalizeObject(rawIngress({ tls: [{ hosts: ['a', 7] }] })))).to.equal('spec.tls[0].hosts[1] must be a string');
    });

    it('rejects an Ingress without spec', () => {
      expect(expectInvalid(normalizeObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } }))).to.equal(
        'spec must be an object',
      );
    });

    it('reports kind, namespace and name of the invalid object', () => {
      const result = normalizeObject(rawIngress({ rules: 'x' }));
      expect(result).to.deep.include({ status: 'invalid', kind: 'Ingress', namespace: 'shop', name: 'web' });
    });
  });

  describe('Service', () => {
    it('fills defaults for type, protocol, targetPort and affinity', () => {
      const object = expectOk(normalizeObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } })) as Service;
      expect(object.type).to.equal('ClusterIP');
      expect(object.sessionAffinity).to.equal('None');
      expect(object.ports).to.deep.equal([{ name: '', port: 80, targetPort: 80, protocol: 'TCP' }]);
    });

    it('reads ClientIP affinity and named target ports', () => {
      const object = expectOk(
        normalizeObject({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 's' },
          spec: { sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
        }),
      ) as Service;
      expect(object.sessionAffinity).to.equal('ClientIP');
      expect(object.ports[0]?.targetPort).to.equal('web');
    });

    for (const port of [0, 65536, -1, 80.5, '80']) {
      it(`rejects port ${JSON.stringify(port)}, naming the field`, () => {
        expect(expectInvalid(normalizeObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port }] } }))).to.equal(
          'spec.ports[0].port must be a port number (1-65535)',
        );
      });
    }

    it('accepts ports 1 and 65535', () => {
      const object = expectOk(
        normalizeObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 1 }, { port: 65535 }] } }),
      ) as Service;
      expect(object.ports.map((p) => p.port)).to.deep.equal([1, 65535]);
    });
  });

  describe('EndpointSlice', () => {
    const slice = (endpoints: unknown): unknown => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'http', port: 8080 }],
    });

    it('reads the Service name from the kubernetes.io/service-name label', () => {
      const object = expectOk(normalizeObject(slice([]))) as EndpointSlice;
      expect(object.serviceName).to.equal('web');
      expect(object.ports).to.deep.equal([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    });

    it('treats a nil ready condition as ready', () => {
      const object = expectOk(
        normalizeObject(
          slice([
            { addresses: ['10.0.0.1'] },
            { addresses: ['10.0.0.2'], conditions: {} },
            { addresses: ['10.0.0.3'], conditions: { ready: null } },
            { addresses: ['10.0.0.4'], conditions: { ready: true } },
            { addresses: ['10.0.0.5'], conditions: { ready: false } },
          ]),
        ),
      ) as EndpointSlice;
      expect(object.endpoints.map((e) => e.ready)).to.deep.equal([true, true, true, true, false]);
    });

    it('rejects an endpoint port out of range', () => {
      const raw = { ...(slice([]) as object), ports: [{ port: 70000 }] };
      expect(expectInvalid(normalizeObject(raw))).to.equal('ports[0].port must be a port number (1-65535)');
    });
  });

  describe('Endpoints', () => {
    it('reads ready and not-ready addresses by ip', () => {
      const object = expectOk(
        normalizeObject({
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'web' },
          subsets: [{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ port: 8080 }] }],
        }),
      );
      expect(object).to.deep.include({ subsets: [{ readyAddresses: ['10.0.0.1'], notReadyAddresses: ['10.0.0.2'], ports: [{ name: '', port: 8080, protocol: 'TCP' }] }] });
    });

    it('rejects an address without ip, naming the field', () => {
      const raw = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ hostname: 'x' }] }] };
      expect(expectInvalid(normalizeObject(raw))).to.equal('subsets[0].addresses[0].ip must be a string');
    });
  });

  describe('Secret', () => {
    it('base64-decodes data and lets stringData override it', () => {
      const object = expectOk(
        normalizeObject({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's' },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': Buffer.from('CERT').toString('base64'), 'tls.key': Buffer.from('OLD').toString('base64') },
          stringData: { 'tls.key': 'KEY', extra: 'plain' },
        }),
      ) as Secret;
      expect(object.type).to.equal('kubernetes.io/tls');
      expect(object.data).to.deep.equal({ 'tls.crt': 'CERT', 'tls.key': 'KEY', extra: 'plain' });
    });

    it('defaults the type to Opaque', () => {
      expect((expectOk(normalizeObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } })) as Secret).type).to.equal('Opaque');
    });
  });

  describe('ConfigMap', () => {
    it('rejects data that is not a map', () => {
      expect(expectInvalid(normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: ['a'] }))).to.equal('data must be an object');
    });
  });
});

// Unit tests for makeBackendResolver: upstream names, ready endpoints from EndpointSlices or Endpoints, and the 503 cases.
import { expect } from 'chai';
import { makeBackendResolver, type BackendResolution } from '../../../src/build/resolve-backends.js';
import type { EndpointSlice, IngressBackend, KubeObject } from '../../../src/model/kube.js';
import type { Upstream } from '../../../src/model/nginx-model.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { endpointSlice, endpoints, meta, service } from '../../support/objects.js';

function resolveIn(objects: readonly KubeObject[], backend: IngressBackend, namespace = 'default'): BackendResolution {
  return makeBackendResolver(snapshotOf(objects))(namespace, backend);
}

function expectUpstream(resolution: BackendResolution): Upstream {
  if (resolution.upstream === undefined) expect.fail(`expected an upstream, got ${JSON.stringify(resolution.problem)}`);
  return resolution.upstream;
}

const byNumber = (serviceName: string, number = 80): IngressBackend => ({ serviceName, port: { number } });
const byName = (serviceName: string, name: string): IngressBackend => ({ serviceName, port: { name } });
const addresses = (upstream: Upstream): string[] => upstream.endpoints.map((e) => `${e.address}:${e.port}`);

describe('makeBackendResolver', () => {
  it('names the upstream namespace_service_port after the Service port number', () => {
    const objects = [
      service('web', { namespace: 'shop', ports: [{ name: 'http', port: 8080, targetPort: 80 }] }),
      endpointSlice('web', { namespace: 'shop', portName: 'http', port: 80, endpoints: [{ address: '10.0.0.1' }] }),
    ];
    const upstream = expectUpstream(resolveIn(objects, byName('web', 'http'), 'shop'));
    expect(upstream.name).to.equal('shop_web_8080');
    expect(upstream.service).to.deep.equal({ kind: 'Service', namespace: 'shop', name: 'web' });
    expect(upstream.servicePort).to.equal('8080');
    expect(addresses(upstream)).to.deep.equal(['10.0.0.1:80']);
  });

  it('gives a port named by number and by name the same upstream', () => {
    const objects = [service('web', { ports: [{ name: 'http', port: 80 }] }), endpointSlice('web', { portName: 'http', port: 80, endpoints: [{ address: '10.0.0.1' }] })];
    const resolver = makeBackendResolver(snapshotOf(objects));
    expect(expectUpstream(resolver('default', byNumber('web'))).name).to.equal(expectUpstream(resolver('default', byName('web', 'http'))).name);
  });

  it('lists an endpoint that appears in two slices once, sorted', () => {
    const objects = [
      service('web'),
      endpointSlice('web', { name: 'web-a', port: 80, endpoints: [{ address: '10.0.0.2' }, { address: '10.0.0.1' }] }),
      endpointSlice('web', { name: 'web-b', port: 80, endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.3' }] }),
    ];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
  });

  it('excludes endpoints that are not ready', () => {
    const objects = [service('web'), endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.2', ready: false }] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal(['10.0.0.1:80']);
  });

  it('keeps IPv6 endpoints', () => {
    const slice: EndpointSlice = { ...endpointSlice('web', { port: 80, endpoints: [{ address: 'fd00::1' }] }), addressType: 'IPv6' };
    expect(addresses(expectUpstream(resolveIn([service('web'), slice], byNumber('web'))))).to.deep.equal(['fd00::1:80']);
  });

  it('skips FQDN slices and addresses that are not IPs', () => {
    const fqdn: EndpointSlice = { ...endpointSlice('web', { name: 'web-fqdn', port: 80, endpoints: [{ address: 'backend.example.com' }] }), addressType: 'FQDN' };
    const odd = endpointSlice('web', { name: 'web-odd', port: 80, endpoints: [{ address: 'not-an-ip' }, { address: '10.0.0.9' }] });
    const resolution = resolveIn([service('web'), fqdn, odd], byNumber('web'));
    expect(addresses(expectUpstream(resolution))).to.deep.equal(['10.0.0.9:80']);
  });

  it('uses the first address of an endpoint only', () => {
    const slice = endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }] });
    const twoAddresses: EndpointSlice = { ...slice, endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'], ready: true }] };
    expect(addresses(expectUpstream(resolveIn([service('web'), twoAddresses], byNumber('web'))))).to.deep.equal(['10.0.0.1:80']);
  });

  it('prefers EndpointSlices over Endpoints', () => {
    const objects = [service('web'), endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }] }), endpoints('web', { port: 80, ready: ['10.9.9.9'] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal(['10.0.0.1:80']);
  });

  it('prefers EndpointSlices even when none of their endpoints is ready', () => {
    const objects = [service('web'), endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1', ready: false }] }), endpoints('web', { port: 80, ready: ['10.9.9.9'] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal([]);
  });

  it('falls back to Endpoints when no slice exists, ready addresses only', () => {
    const objects = [service('web'), endpoints('web', { port: 80, ready: ['10.0.0.2', '10.0.0.1'], notReady: ['10.0.0.3'] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal(['10.0.0.1:80', '10.0.0.2:80']);
  });

  it('ignores a slice without the service-name label', () => {
    // normalizeObject reads serviceName from the label, so a slice without the label has none.
    const unlabelled: EndpointSlice = { ...endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }] }), metadata: meta('web-x'), serviceName: '' };
    const objects = [service('web'), unlabelled, endpoints('web', { port: 80, ready: ['10.0.0.2'] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal(['10.0.0.2:80']);
  });

  it('ignores slices and Services of another namespace', () => {
    const objects = [service('web'), endpointSlice('web', { namespace: 'other', port: 80, endpoints: [{ address: '10.0.0.1' }] })];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web'))))).to.deep.equal([]);
    expect(resolveIn([service('web', { namespace: 'other' })], byNumber('web')).problem?.code).to.equal('SERVICE_NOT_FOUND');
  });

  it('picks the endpoint port by the Service port name on a multi-port Service', () => {
    const objects = [
      service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090 }] }),
      {
        ...endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
        ports: [
          { name: 'metrics', port: 9091, protocol: 'TCP' },
          { name: 'http', port: 8080, protocol: 'TCP' },
        ],
      },
    ];
    expect(addresses(expectUpstream(resolveIn(objects, byNumber('web', 80))))).to.deep.equal(['10.0.0.1:8080']);
    expect(addresses(expectUpstream(resolveIn(objects, byName('web', 'metrics'))))).to.deep.equal(['10.0.0.1:9091']);
  });

  it('maps ClientIP session affinity to client-ip', () => {
    const objects = [service('web', { affinity: 'ClientIP' }), endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }] })];
    expect(expectUpstream(resolveIn(objects, byNumber('web'))).affinity).to.equal('client-ip');
    expect(expectUpstream(resolveIn([service('web')], byNumber('web'))).affinity).to.equal('none');
  });

  describe('when there is nothing to proxy to', () => {
    it('reports a missing Service as an error', () => {
      expect(resolveIn([], byNumber('web'))).to.deep.equal({
        upstream: undefined,
        problem: { code: 'SERVICE_NOT_FOUND', severity: 'error', message: 'Service web does not exist; its paths answer 503' },
      });
    });

    it('reports a missing port as an error', () => {
      const resolution = resolveIn([service('web')], byNumber('web', 81));
      expect(resolution.upstream).to.equal(undefined);
      expect(resolution.problem).to.deep.include({ code: 'SERVICE_PORT_NOT_FOUND', severity: 'error' });
      expect(resolveIn([service('web')], byName('web', 'http')).problem?.code).to.equal('SERVICE_PORT_NOT_FOUND');
    });

    it('refuses ExternalName Services', () => {
      expect(resolveIn([service('web', { type: 'ExternalName' })], byNumber('web')).problem?.code).to.equal('SERVICE_TYPE_UNSUPPORTED');
    });

    it('keeps the upstream but warns when no endpoint is ready', () => {
      const resolution = resolveIn([service('web')], byNumber('web'));
      expect(expectUpstream(resolution).endpoints).to.deep.equal([]);
      expect(resolution.problem).to.deep.include({ code: 'NO_READY_ENDPOINTS', severity: 'warning' });
    });
  });
});

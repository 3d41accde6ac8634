// ObjectStore: one index per kind, and the answer to "does this change matter?".
import { expect } from 'chai';
import { defaultClassSettings } from '../../../src/model/settings.js';
import { ObjectStore } from '../../../src/store/object-store.js';
import { endpointSlice, endpoints, ingress, ingressClass, meta, opaqueSecret, service, tlsSecret } from '../../support/objects.js';

const newStore = (): ObjectStore => new ObjectStore({ classes: defaultClassSettings, settingsSource: { namespace: undefined, name: 'portico' } });
const web = ingress('web', { rules: [{ host: 'a.test', paths: [{ service: 'web' }] }], tls: [{ hosts: ['a.test'], secretName: 'a-tls' }] });
const pem = { certificatePem: 'x', keyPem: 'y' };

describe('ObjectStore', () => {
  it('keeps one object per kind, namespace and name, and snapshots them', () => {
    const store = newStore();
    store.apply({ type: 'upsert', object: web });
    store.apply({ type: 'upsert', object: service('web') });
    store.apply({ type: 'upsert', object: service('web') });
    store.apply({ type: 'upsert', object: service('web', { namespace: 'other' }) });
    const snapshot = store.snapshot();
    expect(snapshot.ingresses).to.have.length(1);
    expect(snapshot.services.map((s) => s.metadata.namespace).sort()).to.deep.equal(['default', 'other']);
    expect(store.counts().Service).to.equal(2);
  });

  it('calls an Ingress of our class relevant, and one of another class not', () => {
    const store = newStore();
    expect(store.apply({ type: 'upsert', object: web })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: ingress('theirs', { className: 'nginx', rules: [{ host: 'b.test', paths: [{ service: 'b' }] }] }) })).to.equal(false);
  });

  it('calls an Ingress that leaves our class relevant (it must stop being served)', () => {
    const store = newStore();
    store.apply({ type: 'upsert', object: web });
    expect(store.apply({ type: 'upsert', object: { ...web, ingressClassName: 'nginx' } })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: { ...web, ingressClassName: 'elsewhere' } })).to.equal(false);
  });

  it('calls Services, EndpointSlices, Endpoints and Secrets relevant only when one of our Ingresses uses them', () => {
    const store = newStore();
    store.apply({ type: 'upsert', object: web });
    expect(store.apply({ type: 'upsert', object: service('web') }), 'used Service').to.equal(true);
    expect(store.apply({ type: 'upsert', object: service('unused') }), 'unused Service').to.equal(false);
    expect(store.apply({ type: 'upsert', object: endpointSlice('web', { port: 80, endpoints: [{ address: '10.0.0.1' }] }) })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: endpointSlice('unused', { port: 80, endpoints: [{ address: '10.0.0.1' }] }) })).to.equal(false);
    expect(store.apply({ type: 'upsert', object: endpoints('web', { port: 80, ready: ['10.0.0.1'] }) })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: tlsSecret('a-tls', pem) })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: tlsSecret('other-tls', pem) })).to.equal(false);
  });

  it('calls an Opaque Secret relevant only when one of our Ingresses names it in auth-secret (own namespace only)', () => {
    const store = newStore();
    const annotated = (name: string, secret: string) =>
      ingress(name, { rules: [{ host: `${name}.test`, paths: [{ service: 'web' }] }], annotations: { 'nginx.ingress.kubernetes.io/auth-type': 'basic', 'nginx.ingress.kubernetes.io/auth-secret': secret } });
    store.apply({ type: 'upsert', object: annotated('a', 'users') });
    store.apply({ type: 'upsert', object: annotated('b', 'default/more-users') });
    store.apply({ type: 'upsert', object: annotated('c', 'elsewhere/stolen') });
    expect(store.apply({ type: 'upsert', object: opaqueSecret('users', { auth: 'x' }) }), 'by name').to.equal(true);
    expect(store.apply({ type: 'upsert', object: opaqueSecret('more-users', { auth: 'x' }) }), 'by namespace/name').to.equal(true);
    expect(store.apply({ type: 'upsert', object: opaqueSecret('stolen', { auth: 'x' }, 'elsewhere') }), 'another namespace').to.equal(false);
    expect(store.apply({ type: 'upsert', object: opaqueSecret('users', { auth: 'x' }, 'elsewhere') }), 'same name elsewhere').to.equal(false);
    expect(store.apply({ type: 'upsert', object: opaqueSecret('unused', { auth: 'x' }) }), 'unused').to.equal(false);
    expect(store.apply({ type: 'delete', kind: 'Secret', namespace: 'default', name: 'users' }), 'deleting a used one').to.equal(true);
  });

  it('notices a Service becoming relevant when an Ingress starts using it', () => {
    const store = newStore();
    expect(store.apply({ type: 'upsert', object: service('web') })).to.equal(false);
    expect(store.apply({ type: 'upsert', object: web })).to.equal(true);
    expect(store.apply({ type: 'delete', kind: 'Service', namespace: 'default', name: 'web' })).to.equal(true);
  });

  it('calls an unchanged object re-delivered (a relist, a reconnect) irrelevant', () => {
    const store = newStore();
    store.apply({ type: 'upsert', object: web });
    store.apply({ type: 'upsert', object: service('web') });
    expect(store.apply({ type: 'upsert', object: structuredClone(web) })).to.equal(false);
    expect(store.apply({ type: 'replace', kind: 'Service', objects: [service('web')] })).to.equal(false);
  });

  it('deletes what a replace no longer lists, and says whether that matters', () => {
    const store = newStore();
    store.apply({ type: 'upsert', object: web });
    store.apply({ type: 'replace', kind: 'Service', objects: [service('web'), service('unused')] });
    expect(store.apply({ type: 'replace', kind: 'Service', objects: [service('web')] }), 'unused one gone').to.equal(false);
    expect(store.snapshot().services.map((s) => s.metadata.name)).to.deep.equal(['web']);
    expect(store.apply({ type: 'replace', kind: 'Service', objects: [] }), 'used one gone').to.equal(true);
  });

  it('treats a delete of something never seen as irrelevant', () => {
    expect(newStore().apply({ type: 'delete', kind: 'Ingress', namespace: 'default', name: 'ghost' })).to.equal(false);
  });

  it('calls IngressClass changes relevant and re-reads which Ingresses are ours', () => {
    const store = newStore();
    const classless = ingress('classless', { className: null, rules: [{ host: 'c.test', paths: [{ service: 'c' }] }] });
    expect(store.apply({ type: 'upsert', object: classless })).to.equal(false);
    expect(store.apply({ type: 'upsert', object: ingressClass('portico', 'portico.dev/ingress-controller', true) })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: service('c') }), 'now used').to.equal(true);
  });

  it('calls only the settings ConfigMap relevant', () => {
    const store = newStore();
    expect(store.apply({ type: 'upsert', object: { kind: 'ConfigMap', metadata: meta('portico', 'portico-system'), data: {} } })).to.equal(true);
    expect(store.apply({ type: 'upsert', object: { kind: 'ConfigMap', metadata: meta('kube-root-ca.crt'), data: {} } })).to.equal(false);
  });
});

// Name-based virtual hosts, wildcards, rules without host, default backends, IngressClass selection and the
// merging of several Ingresses on one host, all through a real nginx.
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { endpointSlice, ingress, ingressClass, service } from '../support/objects.js';
import { serveObjects, type ServedConfig } from '../support/serve-snapshot.js';

const names = ['shop', 'blog', 'apps', 'hostless', 'fallback', 'site-fallback', 'older', 'newer', 'legacy', 'classless', 'other'] as const;

describe('hosts, classes and merging through nginx', () => {
  const backends = new Map<string, EchoBackend>();
  let served: ServedConfig;

  before(async () => {
    for (const name of names) backends.set(name, await startEchoBackend(name));
    const objects = [
      ...[...backends.values()].flatMap((b) => [service(b.name), endpointSlice(b.name, { port: b.port, endpoints: [{ address: '127.0.0.1' }] })]),
      ingressClass('portico', 'portico.dev/ingress-controller'),
      ingressClass('nginx', 'k8s.io/ingress-nginx'),
      ingress('shop', { created: '2025-01-01T00:00:00Z', rules: [{ host: 'shop.example.test', paths: [{ service: 'shop' }] }] }),
      ingress('blog', { rules: [{ host: 'blog.example.test', paths: [{ service: 'blog' }] }] }),
      ingress('apps', { rules: [{ host: '*.apps.example.test', paths: [{ service: 'apps' }] }] }),
      ingress('hostless', { rules: [{ paths: [{ path: '/hostless', service: 'hostless' }] }] }),
      ingress('fallback', { created: '2025-01-01T00:00:00Z', defaultBackend: { service: 'fallback' } }),
      ingress('site', { created: '2025-02-01T00:00:00Z', defaultBackend: { service: 'site-fallback' }, rules: [{ host: 'site.example.test', paths: [{ path: '/app', service: 'blog' }] }] }),
      ingress('older', { created: '2025-01-01T00:00:00Z', rules: [{ host: 'merged.example.test', paths: [{ path: '/a', service: 'older' }, { path: '/shared', service: 'older' }] }] }),
      ingress('newer', { created: '2025-03-01T00:00:00Z', rules: [{ host: 'merged.example.test', paths: [{ path: '/b', service: 'newer' }, { path: '/shared', service: 'newer' }] }] }),
      ingress('legacy', { className: null, annotations: { 'kubernetes.io/ingress.class': 'portico' }, rules: [{ host: 'legacy.example.test', paths: [{ service: 'legacy' }] }] }),
      ingress('classless', { className: null, rules: [{ host: 'classless.example.test', paths: [{ service: 'classless' }] }] }),
      ingress('other', { className: 'nginx', rules: [{ host: 'other.example.test', paths: [{ service: 'other' }] }] }),
    ];
    served = await serveObjects(objects);
  });

  after(async () => {
    await served?.stop();
    await Promise.all([...backends.values()].map((b) => b.close()));
  });

  const backendFor = async (host: string, path = '/'): Promise<string | number> => {
    const response = await httpRequest({ port: served.httpPort, host, path });
    return response.status === 200 ? response.json<EchoResponse>().backend : response.status;
  };

  it('routes each host to its own Services (name-based virtual hosts)', async () => {
    expect(await backendFor('shop.example.test')).to.equal('shop');
    expect(await backendFor('blog.example.test')).to.equal('blog');
  });

  it('compares the Host header case-insensitively and without its port', async () => {
    expect(await backendFor('SHOP.Example.Test')).to.equal('shop');
    expect(await backendFor(`shop.example.test:${served.httpPort}`)).to.equal('shop');
  });

  it('matches a wildcard host on exactly one label', async () => {
    expect(await backendFor('one.apps.example.test')).to.equal('apps');
    expect(await backendFor('two.labels.apps.example.test'), 'two labels').to.equal('fallback');
    expect(await backendFor('apps.example.test'), 'the bare domain').to.equal('fallback');
  });

  it('serves rules without host for hosts no rule names', async () => {
    expect(await backendFor('unknown.example.test', '/hostless/x')).to.equal('hostless');
  });

  it('sends what no rule matches on an unknown host to the oldest default backend', async () => {
    expect(await backendFor('unknown.example.test', '/elsewhere')).to.equal('fallback');
    expect(await backendFor('127.0.0.1', '/')).to.equal('fallback');
  });

  it("gives an Ingress's own hosts its default backend for paths no rule matches", async () => {
    expect(await backendFor('site.example.test', '/app/x')).to.equal('blog');
    expect(await backendFor('site.example.test', '/other')).to.equal('site-fallback');
  });

  it('answers 404 on a named host when no path matches and no default backend applies', async () => {
    expect(await backendFor('merged.example.test', '/nothing-here')).to.equal(404);
  });

  it('merges the rules of several Ingresses on one host', async () => {
    expect(await backendFor('merged.example.test', '/a')).to.equal('older');
    expect(await backendFor('merged.example.test', '/b')).to.equal('newer');
  });

  it('gives a conflicting path to the oldest Ingress and tells the newer one', async () => {
    expect(await backendFor('merged.example.test', '/shared')).to.equal('older');
    const conflict = served.diagnostics.find((d) => d.code === 'PATH_CONFLICT');
    expect(conflict?.object.name).to.equal('newer');
    expect(conflict?.message).to.include('default/older');
  });

  it('serves Ingresses of its class by name and by the legacy annotation', async () => {
    expect(await backendFor('legacy.example.test')).to.equal('legacy');
  });

  it("ignores Ingresses of another controller's class and, without a default class, those with none", async () => {
    expect(await backendFor('other.example.test')).to.equal('fallback');
    expect(await backendFor('classless.example.test')).to.equal('fallback');
    expect(backends.get('other')?.requests).to.have.length(0);
    expect(backends.get('classless')?.requests).to.have.length(0);
  });

  it('serves Ingresses without a class once its IngressClass is the default', async () => {
    const objects = [
      service('classless'),
      endpointSlice('classless', { port: backends.get('classless')?.port ?? 0, endpoints: [{ address: '127.0.0.1' }] }),
      ingressClass('portico', 'portico.dev/ingress-controller', true),
      ingress('classless', { className: null, rules: [{ host: 'classless.example.test', paths: [{ service: 'classless' }] }] }),
    ];
    await served.update(objects);
    expect(await backendFor('classless.example.test')).to.equal('classless');
  });
});

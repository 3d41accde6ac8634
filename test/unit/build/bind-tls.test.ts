// bindTls: which certificate each host presents, and who may turn TLS on for a host.
import { expect } from 'chai';
import { bindTls } from '../../../src/build/bind-tls.js';
import { makeCertificate } from '../../support/certificates.js';
import { ingress, tlsSecret } from '../../support/objects.js';

const now = new Date();
const served = new Set(['a.example.com', 'b.example.com']);

describe('bindTls', () => {
  it('binds a host of its own rules to the Secret certificate', () => {
    const pem = makeCertificate({ hosts: ['a.example.com'] });
    const shop = ingress('shop', { rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }], tls: [{ hosts: ['a.example.com'], secretName: 'a' }] });
    const result = bindTls([shop], [tlsSecret('a', pem)], served, now);
    expect(result.byHost.get('a.example.com')).to.deep.equal({ kind: 'secret', certificate: 'default_a' });
    expect(result.certificates.map((c) => c.name)).to.deep.equal(['default_a']);
    expect(result.diagnostics).to.deep.equal([]);
  });

  it("ignores a TLS host that the Ingress's own rules do not serve, so no Ingress can switch another's host to HTTPS", () => {
    const shop = ingress('shop', { namespace: 'team-a', rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }] });
    const intruder = ingress('blog', { namespace: 'team-b', rules: [{ host: 'b.example.com', paths: [{ service: 'web' }] }], tls: [{ hosts: ['a.example.com'], secretName: undefined }] });
    const result = bindTls([shop, intruder], [], served, now);
    expect(result.byHost.has('a.example.com')).to.equal(false);
  });

  it('covers every host of its rules with a TLS entry that lists none', () => {
    const shop = ingress('shop', { rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }, { host: 'b.example.com', paths: [{ service: 'web' }] }], tls: [{ hosts: [], secretName: undefined }] });
    const result = bindTls([shop], [], served, now);
    expect([...result.byHost.keys()].sort()).to.deep.equal(['a.example.com', 'b.example.com']);
  });

  it('keeps the older claim on a host and warns the newer Ingress', () => {
    const older = ingress('older', { rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }], tls: [{ hosts: ['a.example.com'], secretName: 'one' }] });
    const newer = ingress('newer', { rules: [{ host: 'a.example.com', paths: [{ path: '/x', service: 'web' }] }], tls: [{ hosts: ['a.example.com'], secretName: 'two' }] });
    const pem = makeCertificate({ hosts: ['a.example.com'] });
    const result = bindTls([older, newer], [tlsSecret('one', pem), tlsSecret('two', pem)], served, now);
    expect(result.byHost.get('a.example.com')).to.deep.equal({ kind: 'secret', certificate: 'default_one' });
    expect(result.diagnostics.map((d) => [d.code, d.object.name])).to.deep.equal([['TLS_CONFLICT', 'newer']]);
  });
});

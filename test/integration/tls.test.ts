// TLS through a real nginx: SNI picks each host's certificate (RSA and ECDSA), a missing or broken Secret
// falls back to the default certificate, HTTP is redirected to HTTPS with 308, and key files stay private.
import { X509Certificate } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { writeRuntimeFiles } from '../../src/runtime/write-runtime-files.js';
import { makeCertificate } from '../support/certificates.js';
import { httpRequest } from '../support/http-client.js';
import { endpointSlice, ingress, service, tlsSecret } from '../support/objects.js';
import { serveObjects, type ServedConfig } from '../support/serve-snapshot.js';

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('TLS through nginx', () => {
  const rsa = makeCertificate({ hosts: ['rsa.tls.test'], keyType: 'rsa' });
  const ecdsa = makeCertificate({ hosts: ['*.ecdsa.tls.test'], keyType: 'ecdsa' });
  const stranger = makeCertificate({ hosts: ['stranger.test'], keyType: 'ecdsa' });
  let backend: EchoBackend;
  let served: ServedConfig;

  before(async () => {
    backend = await startEchoBackend('web');
    const paths = [{ service: 'web' }];
    served = await serveObjects([
      ingress('tls', {
        tls: [
          { hosts: ['rsa.tls.test'], secretName: 'rsa' },
          { hosts: ['*.ecdsa.tls.test'], secretName: 'ecdsa' },
          { hosts: ['missing.tls.test'], secretName: 'missing' },
          { hosts: ['mismatch.tls.test'], secretName: 'mismatch' },
        ],
        rules: ['rsa.tls.test', '*.ecdsa.tls.test', 'missing.tls.test', 'mismatch.tls.test', 'plain.tls.test'].map((host) => ({ host, paths })),
      }),
      tlsSecret('rsa', rsa),
      tlsSecret('ecdsa', ecdsa),
      tlsSecret('mismatch', { certificatePem: rsa.certificatePem, keyPem: stranger.keyPem }),
      service('web'),
      endpointSlice('web', { port: backend.port, endpoints: [{ address: '127.0.0.1' }] }),
    ]);
  });

  after(async () => {
    await served?.stop();
    await backend?.close();
  });

  const https = (host: string, path = '/') => httpRequest({ port: served.httpsPort, host, path, tls: { servername: host } });

  it("presents each host's own certificate by SNI, RSA and ECDSA alike", async () => {
    const viaRsa = await https('rsa.tls.test');
    expect(viaRsa.peerCertificate?.fingerprint256).to.equal(fingerprint(rsa.certificatePem));
    expect(viaRsa.json<EchoResponse>().headers['x-forwarded-proto']).to.equal('https');
    const viaEcdsa = await https('api.ecdsa.tls.test');
    expect(viaEcdsa.peerCertificate?.fingerprint256).to.equal(fingerprint(ecdsa.certificatePem));
    expect(viaEcdsa.json<EchoResponse>().backend).to.equal('web');
  });

  it('falls back to the default certificate for a missing or mismatched Secret, and says so', async () => {
    const defaultFingerprint = (await https('unknown.tls.test')).peerCertificate?.fingerprint256;
    expect(defaultFingerprint).to.be.a('string');
    for (const host of ['missing.tls.test', 'mismatch.tls.test']) {
      const response = await https(host);
      expect(response.peerCertificate?.fingerprint256, host).to.equal(defaultFingerprint);
      expect(response.status, host).to.equal(200);
    }
    const codes = served.diagnostics.map((d) => d.code);
    expect(codes).to.include.members(['TLS_SECRET_NOT_FOUND', 'TLS_SECRET_INVALID']);
  });

  it('redirects plain HTTP to HTTPS with 308 on TLS hosts only', async () => {
    const redirected = await httpRequest({ port: served.httpPort, host: 'rsa.tls.test', path: '/a/b?c=d' });
    expect(redirected.status).to.equal(308);
    expect(redirected.headers['location']).to.equal(`https://rsa.tls.test:${served.httpsPort}/a/b?c=d`);
    expect(backend.requests.some((r) => r.url === '/a/b?c=d')).to.equal(false);
    const plain = await httpRequest({ port: served.httpPort, host: 'plain.tls.test', path: '/' });
    expect(plain.status).to.equal(200);
  });

  it('serves a renewed certificate from the next handshake on, without a reload', async () => {
    const renewed = makeCertificate({ hosts: ['rsa.tls.test'], keyType: 'ecdsa', commonName: 'renewed' });
    const dir = `${served.runtimeDir}/certs`;
    const replaced: Record<string, string> = { 'default_rsa.crt': renewed.certificatePem, 'default_rsa.key': renewed.keyPem };
    const files = await Promise.all(
      (await readdir(dir)).map(async (name) => ({ path: `${dir}/${name}`, content: replaced[name] ?? (await readFile(`${dir}/${name}`, 'utf8')), mode: 0o600 })),
    );
    const rendered = { config: served.config, files };
    await writeRuntimeFiles(rendered, served.runtimeDir);
    expect((await https('rsa.tls.test')).peerCertificate?.fingerprint256).to.equal(fingerprint(renewed.certificatePem));
  });

  it('writes certificate files 0600 in a 0700 directory', async () => {
    const dir = `${served.runtimeDir}/certs`;
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    const files = await readdir(dir);
    expect(files).to.include.members(['default_rsa.crt', 'default_rsa.key', 'default_ecdsa.key', 'default.key']);
    for (const file of files) expect((await stat(`${dir}/${file}`)).mode & 0o777, file).to.equal(0o600);
  });
});

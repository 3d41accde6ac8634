// Unit tests for generateDefaultCertificate: a usable, server-only, self-signed pair, generated quickly.
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import forge from 'node-forge';
import { checkCertificate } from '../../../src/certificates/check-certificate.js';
import { generateDefaultCertificate } from '../../../src/certificates/default-certificate.js';

const dayMs = 24 * 60 * 60 * 1000;

describe('generateDefaultCertificate', () => {
  let generated: { certificatePem: string; keyPem: string };
  let generatedAt: number;

  before(() => {
    generatedAt = Date.now();
    generated = generateDefaultCertificate();
  });

  it('produces a certificate that parses and a key that matches it', () => {
    const check = checkCertificate(generated.certificatePem, generated.keyPem, new Date());
    if (!check.ok) expect.fail(check.reason);
    expect(check.isExpired).to.equal(false);
    expect(check.subjectAltNames).to.deep.equal(['ingress.local']);
  });

  it('is self-signed with the Portico subject and not a CA', () => {
    const certificate = new X509Certificate(generated.certificatePem);
    expect(certificate.subject).to.equal('CN=Portico Default Certificate');
    expect(certificate.issuer).to.equal(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).to.equal(true);
    expect(certificate.ca).to.equal(false);
    expect(certificate.subjectAltName).to.equal('DNS:ingress.local');
  });

  it('uses an RSA 2048 key and a SHA-256 signature', () => {
    const certificate = new X509Certificate(generated.certificatePem);
    expect(certificate.publicKey.asymmetricKeyType).to.equal('rsa');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const parsed = forge.pki.certificateFromPem(generated.certificatePem);
    expect(forge.pki.oids[parsed.siginfo.algorithmOid]).to.equal('sha256WithRSAEncryption');
  });

  it('is limited to TLS server use', () => {
    const parsed = forge.pki.certificateFromPem(generated.certificatePem);
    expect(parsed.getExtension('keyUsage')).to.include({ digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(parsed.getExtension('extKeyUsage')).to.include({ serverAuth: true });
    expect(parsed.getExtension('basicConstraints')).to.include({ cA: false });
  });

  it('is valid from a day ago for ten years', () => {
    const certificate = new X509Certificate(generated.certificatePem);
    const notBefore = certificate.validFromDate.getTime();
    const notAfter = certificate.validToDate.getTime();
    // Certificate times have whole seconds, so allow a few seconds either side of the expected instants.
    expect(notBefore).to.be.closeTo(generatedAt - dayMs, 5_000);
    const tenYears = new Date(generatedAt);
    tenYears.setUTCFullYear(tenYears.getUTCFullYear() + 10);
    expect(notAfter).to.be.closeTo(tenYears.getTime(), 5_000);
  });

  it('gives every certificate its own positive random serial and key', () => {
    const other = generateDefaultCertificate();
    const first = new X509Certificate(generated.certificatePem);
    const second = new X509Certificate(other.certificatePem);
    expect(first.serialNumber).not.to.equal(second.serialNumber);
    expect(first.serialNumber).to.match(/^[0-7][0-9A-F]{31}$/);
    expect(other.keyPem).not.to.equal(generated.keyPem);
  });
});

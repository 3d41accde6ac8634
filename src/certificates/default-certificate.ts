// Generates the self-signed certificate nginx presents for TLS hosts that have no usable Secret.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

const commonName = 'Portico Default Certificate';
const dnsName = 'ingress.local';
const validityYears = 10;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Creates a fresh self-signed RSA 2048 certificate (CN "Portico Default Certificate", SAN `ingress.local`),
 * valid from a day ago for ten years, usable only as a TLS server certificate.
 *
 * @returns The certificate and its PKCS#1 private key, both PEM.
 */
export function generateDefaultCertificate(): { certificatePem: string; keyPem: string } {
  // Without a prng option and with e = 65537, forge hands key generation to Node's native
  // generateKeyPairSync; pure-JavaScript generation would take seconds.
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = randomSerial();

  const now = Date.now();
  const notBefore = new Date(now - dayMs);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  // A day of slack so clients whose clocks run behind do not see a "not yet valid" certificate.
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;

  const name = [{ name: 'commonName', value: commonName }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());

  return {
    certificatePem: forge.pki.certificateToPem(certificate),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

/** 128 random bits as hex, with the top bit clear: DER integers are signed and serials must be positive. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  // A leading zero byte would make the encoding non-minimal; any non-zero value keeps the serial 16 bytes.
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}

// Unit tests for checkCertificate and coversHost: parsing, key matching, expiry, SAN listing, host coverage.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { expect } from 'chai';
import { checkCertificate, coversHost, type CertificateCheck } from '../../../src/certificates/check-certificate.js';
import { makeCertificate, makeChain } from '../../support/certificates.js';

const now = new Date();
const dayMs = 24 * 60 * 60 * 1000;

function expectOk(check: CertificateCheck): Extract<CertificateCheck, { ok: true }> {
  if (!check.ok) expect.fail(`expected ok, got reason "${check.reason}"`);
  return check;
}

function expectReason(check: CertificateCheck): string {
  if (check.ok) expect.fail('expected the check to fail');
  return check.reason;
}

/** Re-encodes a PEM key in another container format, to test what tls.key may hold. */
function convertKey(keyPem: string, type: 'pkcs1' | 'pkcs8' | 'sec1'): string {
  return createPrivateKey(keyPem).export({ type, format: 'pem' }).toString();
}

/** Keeps the PEM armour but breaks the DER inside, as a corrupted copy-paste would. */
function corruptBody(pem: string): string {
  const lines = pem.trim().split('\n');
  return [lines[0], 'TUlJQmFkRGF0YQ==', lines.at(-1), ''].join('\n');
}

describe('checkCertificate', () => {
  it('accepts an RSA certificate with its PKCS#8 key and reports expiry and fingerprint', () => {
    const notAfter = new Date(Math.floor((now.getTime() + 90 * dayMs) / 1000) * 1000);
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['rsa.example.com'], notAfter });
    const check = expectOk(checkCertificate(certificatePem, keyPem, now));
    expect(check.subjectAltNames).to.deep.equal(['rsa.example.com']);
    expect(check.notAfter).to.equal(notAfter.toISOString());
    expect(check.isExpired).to.equal(false);
    expect(check.fingerprint256).to.equal(new X509Certificate(certificatePem).fingerprint256);
  });

  it('accepts an RSA key in PKCS#1 form', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['rsa.example.com'] });
    const pkcs1 = convertKey(keyPem, 'pkcs1');
    expect(pkcs1).to.contain('BEGIN RSA PRIVATE KEY');
    expectOk(checkCertificate(certificatePem, pkcs1, now));
  });

  it('accepts an ECDSA P-256 certificate with its PKCS#8 key', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['ec.example.com'], keyType: 'ecdsa' });
    const check = expectOk(checkCertificate(certificatePem, keyPem, now));
    expect(check.subjectAltNames).to.deep.equal(['ec.example.com']);
  });

  it('accepts an ECDSA key in SEC1 form, also when openssl put EC PARAMETERS before it', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['ec.example.com'], keyType: 'ecdsa' });
    const sec1 = convertKey(keyPem, 'sec1');
    expect(sec1).to.contain('BEGIN EC PRIVATE KEY');
    expectOk(checkCertificate(certificatePem, sec1, now));
    const withParameters = `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`;
    expectOk(checkCertificate(certificatePem, withParameters, now));
  });

  it('rejects a key that belongs to another certificate', () => {
    const certificate = makeCertificate({ hosts: ['one.example.com'] });
    const other = makeCertificate({ hosts: ['two.example.com'] });
    expect(expectReason(checkCertificate(certificate.certificatePem, other.keyPem, now))).to.equal(
      'the private key does not match the certificate',
    );
  });

  it('rejects an RSA key offered for an ECDSA certificate', () => {
    const ec = makeCertificate({ hosts: ['ec.example.com'], keyType: 'ecdsa' });
    const rsa = makeCertificate({ hosts: ['rsa.example.com'] });
    expect(expectReason(checkCertificate(ec.certificatePem, rsa.keyPem, now))).to.equal(
      'the private key does not match the certificate',
    );
  });

  it('rejects tls.crt text without a PEM certificate', () => {
    const { keyPem } = makeCertificate({ hosts: ['a.example.com'] });
    expect(expectReason(checkCertificate('not a certificate', keyPem, now))).to.equal('tls.crt holds no PEM certificate');
    expect(expectReason(checkCertificate('', keyPem, now))).to.equal('tls.crt holds no PEM certificate');
  });

  it('rejects a PEM certificate block whose content does not parse', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['a.example.com'] });
    expect(expectReason(checkCertificate(corruptBody(certificatePem), keyPem, now))).to.equal(
      'the certificate does not parse',
    );
  });

  it('rejects tls.key text without a PEM private key', () => {
    const { certificatePem } = makeCertificate({ hosts: ['a.example.com'] });
    expect(expectReason(checkCertificate(certificatePem, 'garbage', now))).to.equal('tls.key holds no PEM private key');
    // A certificate pasted into tls.key by mistake is not a key either.
    expect(expectReason(checkCertificate(certificatePem, certificatePem, now))).to.equal(
      'tls.key holds no PEM private key',
    );
  });

  it('rejects a PEM private key block whose content does not parse', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['a.example.com'] });
    expect(expectReason(checkCertificate(certificatePem, corruptBody(keyPem), now))).to.equal(
      'the private key does not parse',
    );
  });

  it('rejects an encrypted private key, which nginx could not load without a passphrase', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['a.example.com'] });
    const encrypted = createPrivateKey(keyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    expect(expectReason(checkCertificate(certificatePem, encrypted, now))).to.match(/encrypted/);
  });

  it('accepts a leaf-then-CA chain and reports the leaf, not the CA', () => {
    const chain = makeChain({ hosts: ['chain.example.com'] });
    const check = expectOk(checkCertificate(chain.certificatePem, chain.keyPem, now));
    expect(check.subjectAltNames).to.deep.equal(['chain.example.com']);
    expect(check.fingerprint256).to.equal(new X509Certificate(chain.leafPem).fingerprint256);
  });

  it('rejects a chain whose second block does not parse', () => {
    const chain = makeChain({ hosts: ['chain.example.com'] });
    const broken = chain.leafPem + corruptBody(chain.caPem);
    expect(expectReason(checkCertificate(broken, chain.keyPem, now))).to.equal('certificate 2 of the chain does not parse');
  });

  it('rejects a chain whose last block has no END line', () => {
    const chain = makeChain({ hosts: ['chain.example.com'] });
    const truncated = chain.leafPem + chain.caPem.replace('-----END CERTIFICATE-----', '');
    expect(expectReason(checkCertificate(truncated, chain.keyPem, now))).to.match(/^certificate 2 of the chain is truncated/);
  });

  it('matches the key against the first certificate only', () => {
    const one = makeCertificate({ hosts: ['one.example.com'] });
    const two = makeCertificate({ hosts: ['two.example.com'] });
    const reordered = one.certificatePem + two.certificatePem;
    expectOk(checkCertificate(reordered, one.keyPem, now));
    expect(expectReason(checkCertificate(reordered, two.keyPem, now))).to.equal(
      'the private key does not match the certificate',
    );
  });

  it('reports an expired certificate as valid but expired', () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['old.example.com'], notBefore, notAfter });
    const check = expectOk(checkCertificate(certificatePem, keyPem, now));
    expect(check.isExpired).to.equal(true);
    expect(check.notAfter).to.equal('2021-01-01T00:00:00.000Z');
  });

  it('judges expiry against each call\'s clock even when the parse is cached', () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2021-01-01T00:00:00Z');
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['old.example.com'], notBefore, notAfter });
    expect(expectOk(checkCertificate(certificatePem, keyPem, new Date('2020-06-01T00:00:00Z'))).isExpired).to.equal(false);
    expect(expectOk(checkCertificate(certificatePem, keyPem, new Date('2021-06-01T00:00:00Z'))).isExpired).to.equal(true);
    expect(expectOk(checkCertificate(certificatePem, keyPem, new Date('2020-06-01T00:00:00Z'))).isExpired).to.equal(false);
  });

  it('lists DNS SANs lower-cased, sorted and without duplicates', () => {
    const { certificatePem, keyPem } = makeCertificate({
      hosts: ['Zeta.Example.com', '*.example.com', 'alpha.example.com', 'zeta.example.com'],
      keyType: 'ecdsa',
    });
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal([
      '*.example.com',
      'alpha.example.com',
      'zeta.example.com',
    ]);
  });

  it('ignores IP and URI SANs, including a URI crafted to look like a DNS entry', () => {
    const { certificatePem, keyPem } = makeCertificate({
      hosts: ['real.example.com'],
      keyType: 'ecdsa',
      extraSubjectAltNames: ['URI:http://x/, DNS:victim.example.com', 'IP:10.0.0.1'],
    });
    expect(new X509Certificate(certificatePem).subjectAltName).to.contain('victim.example.com');
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal(['real.example.com']);
  });

  it('falls back to a host-name subject CN when there is no DNS SAN', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: [], commonName: 'Legacy.Example.com', keyType: 'ecdsa' });
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal(['legacy.example.com']);
  });

  it('does not take a CN that is not a host name for a SAN', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: [], commonName: 'Some Company Cert', keyType: 'ecdsa' });
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal([]);
  });

  it('ignores the CN when DNS SANs are present', () => {
    const { certificatePem, keyPem } = makeCertificate({
      hosts: ['san.example.com'],
      commonName: 'cn.example.com',
      keyType: 'ecdsa',
    });
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal(['san.example.com']);
  });

  it('hands out a fresh SAN list, so editing one result cannot change the cached one', () => {
    const { certificatePem, keyPem } = makeCertificate({ hosts: ['a.example.com'], keyType: 'ecdsa' });
    expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames.push('evil.example.com');
    expect(expectOk(checkCertificate(certificatePem, keyPem, now)).subjectAltNames).to.deep.equal(['a.example.com']);
  });

  it('never puts key material or PEM text in a reason', () => {
    const rsa = makeCertificate({ hosts: ['a.example.com'] });
    const ec = makeCertificate({ hosts: ['b.example.com'], keyType: 'ecdsa' });
    const chain = makeChain({ hosts: ['c.example.com'] });
    const cases: [string, string][] = [
      [rsa.certificatePem, ec.keyPem],
      [ec.certificatePem, rsa.keyPem],
      [rsa.keyPem, rsa.keyPem],
      [corruptBody(rsa.certificatePem), rsa.keyPem],
      [rsa.certificatePem, corruptBody(rsa.keyPem)],
      [rsa.certificatePem, rsa.certificatePem],
      [chain.leafPem + corruptBody(chain.caPem), chain.keyPem],
      [rsa.certificatePem, rsa.keyPem.replace(/\n/g, '\r\n').slice(0, 200)],
    ];
    const bodyLines = [rsa.keyPem, ec.keyPem, chain.keyPem, rsa.certificatePem, chain.caPem]
      .flatMap((pem) => pem.split('\n'))
      .filter((line) => line.length > 0 && !line.startsWith('-----'));
    for (const [certificatePem, keyPem] of cases) {
      const reason = expectReason(checkCertificate(certificatePem, keyPem, now));
      expect(reason).not.to.match(/PRIVATE KEY|-----|BEGIN|END/);
      for (const line of bodyLines) expect(reason).not.to.contain(line.slice(0, 16));
    }
  });
});

describe('coversHost', () => {
  const table: [string[], string, boolean, string][] = [
    [['app.example.com'], 'app.example.com', true, 'exact match'],
    [['App.Example.COM'], 'app.EXAMPLE.com', true, 'exact match ignores case'],
    [['other.example.com'], 'app.example.com', false, 'different name'],
    [['*.example.com'], 'app.example.com', true, 'wildcard covers one label'],
    [['*.Example.com'], 'APP.example.com', true, 'wildcard match ignores case'],
    [['*.example.com'], 'example.com', false, 'wildcard does not cover the apex'],
    [['*.example.com'], 'a.b.example.com', false, 'wildcard does not cover two labels'],
    [['*.example.com'], 'appexample.com', false, 'wildcard needs the dot'],
    [['*.example.com'], '*.example.com', true, 'wildcard host covered by the same wildcard'],
    [['app.example.com'], '*.example.com', false, 'wildcard host not covered by one name'],
    [['*.b.example.com'], '*.example.com', false, 'wildcard host not covered by a narrower wildcard'],
    [['*.example.com'], '*.b.example.com', false, 'wildcard host not covered by a wider wildcard'],
    [['*.com'], 'example.com', false, 'wildcard under a top-level label covers nothing'],
    [['a.example.com', '*.example.org'], 'x.example.org', true, 'any of several names'],
    [[], 'app.example.com', false, 'no names'],
  ];
  for (const [names, host, expected, label] of table) {
    it(`${label}: [${names.join(', ')}] ${expected ? 'covers' : 'does not cover'} ${host}`, () => {
      expect(coversHost(names, host)).to.equal(expected);
    });
  }
});

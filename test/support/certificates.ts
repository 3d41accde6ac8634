// Makes throwaway TLS certificates for tests with the openssl CLI, cached per options within the process.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a test certificate should look like. Dates default to "valid since a day ago, for a year". */
export interface CertificateOptions {
  /** DNS SANs, in order; may include wildcards. An empty list makes a certificate without a SAN extension. */
  readonly hosts: readonly string[];
  readonly keyType?: 'rsa' | 'ecdsa';
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Subject CN; defaults to the first host, or "portico-test" when there is none. */
  readonly commonName?: string;
  /** More SAN entries in openssl's `TYPE:value` form (`URI:http://x/`, `IP:10.0.0.1`), after the DNS ones. */
  readonly extraSubjectAltNames?: readonly string[];
}

/** A PEM certificate (or chain, leaf first) and the leaf's PKCS#8 private key. */
export interface TestCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
}

/** A leaf signed by a throwaway CA: `certificatePem` is leaf then CA, as a TLS Secret's tls.crt would hold. */
export interface TestChain extends TestCertificate {
  readonly leafPem: string;
  readonly caPem: string;
}

const dayMs = 24 * 60 * 60 * 1000;
const certificates = new Map<string, TestCertificate>();
const chains = new Map<string, TestChain>();

/**
 * A self-signed leaf certificate for `hosts`. Same options, same certificate, for the life of the process:
 * RSA key generation is the slow part of most TLS tests.
 */
export function makeCertificate(options: CertificateOptions): TestCertificate {
  const cacheKey = describeOptions(options);
  const cached = certificates.get(cacheKey);
  if (cached !== undefined) return cached;
  const made = withTemporaryDirectory((dir) => {
    const keyPem = generateKey(options.keyType ?? 'rsa');
    const certificatePem = signWithOpenssl(dir, { ...options, isCa: false }, keyPem, undefined);
    return { certificatePem, keyPem };
  });
  certificates.set(cacheKey, made);
  return made;
}

/** A leaf for `hosts` issued by a fresh CA, for tests that need a real two-certificate chain. */
export function makeChain(options: CertificateOptions): TestChain {
  const cacheKey = describeOptions(options);
  const cached = chains.get(cacheKey);
  if (cached !== undefined) return cached;
  const made = withTemporaryDirectory((dir) => {
    const caKeyPem = generateKey('ecdsa');
    const caPem = signWithOpenssl(
      dir,
      { hosts: [], commonName: 'Portico Test CA', isCa: true, notAfter: new Date(Date.now() + 3650 * dayMs) },
      caKeyPem,
      undefined,
    );
    const keyPem = generateKey(options.keyType ?? 'rsa');
    const leafPem = signWithOpenssl(dir, { ...options, isCa: false }, keyPem, { certificatePem: caPem, keyPem: caKeyPem });
    return { certificatePem: leafPem + caPem, keyPem, leafPem, caPem };
  });
  chains.set(cacheKey, made);
  return made;
}

function describeOptions(options: CertificateOptions): string {
  return JSON.stringify({
    hosts: options.hosts,
    keyType: options.keyType ?? 'rsa',
    notBefore: options.notBefore?.toISOString(),
    notAfter: options.notAfter?.toISOString(),
    commonName: options.commonName,
    extraSubjectAltNames: options.extraSubjectAltNames,
  });
}

function generateKey(keyType: 'rsa' | 'ecdsa'): string {
  // Node's native key generation skips a process spawn; the certificate itself comes from openssl.
  const { privateKey } =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function withTemporaryDirectory<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'portico-cert-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type SigningRequest = CertificateOptions & { readonly isCa: boolean };

/**
 * Issues a certificate for `keyPem` with `openssl ca`, self-signed unless an issuer is given. `openssl ca` is
 * used because OpenSSL 3.0's `req` and `x509` cannot set an arbitrary start date, and expired certificates
 * need one in the past.
 */
function signWithOpenssl(
  dir: string,
  request: SigningRequest,
  keyPem: string,
  issuer: TestCertificate | undefined,
): string {
  const now = Date.now();
  const notBefore = request.notBefore ?? new Date(now - dayMs);
  const notAfter = request.notAfter ?? new Date(now + 365 * dayMs);
  const commonName = request.commonName ?? request.hosts[0] ?? 'portico-test';
  const stem = randomBytes(4).toString('hex');
  const paths = {
    config: join(dir, `${stem}.cnf`),
    key: join(dir, `${stem}.key`),
    csr: join(dir, `${stem}.csr`),
    certificate: join(dir, `${stem}.crt`),
    database: join(dir, `${stem}.index`),
    serial: join(dir, `${stem}.serial`),
    issuerCertificate: join(dir, `${stem}-issuer.crt`),
    issuerKey: join(dir, `${stem}-issuer.key`),
  };
  writeFileSync(paths.key, keyPem, { mode: 0o600 });
  writeFileSync(paths.database, '');
  writeFileSync(paths.serial, `${randomBytes(8).toString('hex').replace(/^[89a-f]/, '1')}\n`);
  writeFileSync(paths.config, buildConfig(request, paths.database, paths.serial, dir));
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  };

  run(['req', '-new', '-config', paths.config, '-key', paths.key, '-subj', `/CN=${commonName}`, '-out', paths.csr]);
  let signing = ['-selfsign', '-keyfile', paths.key];
  if (issuer !== undefined) {
    writeFileSync(paths.issuerCertificate, issuer.certificatePem);
    writeFileSync(paths.issuerKey, issuer.keyPem, { mode: 0o600 });
    signing = ['-cert', paths.issuerCertificate, '-keyfile', paths.issuerKey];
  }
  run([
    'ca',
    '-batch',
    '-notext',
    '-config',
    paths.config,
    ...signing,
    '-in',
    paths.csr,
    '-out',
    paths.certificate,
    '-startdate',
    formatOpensslTime(notBefore),
    '-enddate',
    formatOpensslTime(notAfter),
    '-extensions',
    'certificate_extensions',
  ]);
  return readFileSync(paths.certificate, 'utf8');
}

function buildConfig(request: SigningRequest, database: string, serial: string, dir: string): string {
  const subjectAltNames = [
    ...request.hosts.map((host) => `DNS:${host}`),
    ...(request.extraSubjectAltNames ?? []),
  ];
  // One `TYPE.n = value` line each, so values may contain commas without being split.
  const altLines = subjectAltNames.map((entry, index) => {
    const colon = entry.indexOf(':');
    return `${entry.slice(0, colon)}.${String(index + 1)} = ${entry.slice(colon + 1)}`;
  });
  const extensions = request.isCa
    ? ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign']
    : [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth',
      ];
  if (altLines.length > 0) extensions.push('subjectAltName = @alt_names');
  return [
    '[ ca ]',
    'default_ca = test_ca',
    '[ test_ca ]',
    `database = ${database}`,
    `serial = ${serial}`,
    `new_certs_dir = ${dir}`,
    'default_md = sha256',
    'policy = policy_anything',
    'unique_subject = no',
    'email_in_dn = no',
    'copy_extensions = none',
    '[ policy_anything ]',
    'commonName = supplied',
    '[ req ]',
    'distinguished_name = req_name',
    'prompt = no',
    '[ req_name ]',
    'CN = placeholder',
    '[ certificate_extensions ]',
    ...extensions,
    '[ alt_names ]',
    ...altLines,
    '',
  ].join('\n');
}

/** `openssl ca` wants UTCTime (YYMMDDHHMMSSZ) before 2050 and GeneralizedTime (YYYYMMDDHHMMSSZ) after. */
function formatOpensslTime(date: Date): string {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? `${digits.slice(2)}Z` : `${digits}Z`;
}

// A small, fixed pool of real TLS certificates for generated clusters, made once with openssl and kept on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One certificate of the pool: wildcards for every namespace `m` with `m % POOL_SIZE === index`. */
export interface PoolCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly keyType: 'ecdsa' | 'rsa';
}

/** Pool certificate `m % POOL_SIZE` covers the hosts of namespace `ns-m`. */
export const POOL_SIZE = 20;

/**
 * Namespaces `ns-0` … `ns-(ceiling-1)` are covered. 100 SANs per certificate at this ceiling, which is as many
 * as public CAs issue; a cluster with more namespaces gets a larger pool (made on first use, also cached).
 */
const MIN_NAMESPACE_CEILING = 2000;

// Bump when the shape of the pool changes, so an old cache is never read as a new one.
const CACHE_VERSION = 1;
const VALIDITY_DAYS = 3650;

const loaded = new Map<number, readonly PoolCertificate[]>();

/**
 * The pool covering at least `namespaces` namespaces. Generation (RSA keys are the slow part) happens once per
 * machine: the pool is cached under the OS temp dir, so reruns and child processes see the same PEM bytes and
 * generated snapshots stay byte-for-byte reproducible across processes.
 */
export function loadCertificatePool(namespaces: number): readonly PoolCertificate[] {
  let ceiling = MIN_NAMESPACE_CEILING;
  while (ceiling < namespaces) ceiling *= 2;
  const cached = loaded.get(ceiling);
  if (cached !== undefined) return cached;

  const dir = join(tmpdir(), `portico-bench-certificates-v${CACHE_VERSION}-${ceiling}`);
  if (!isComplete(dir)) generatePool(dir, ceiling);
  const pool = Array.from({ length: POOL_SIZE }, (_, index) => ({
    certificatePem: readFileSync(join(dir, `${index}.crt`), 'utf8'),
    keyPem: readFileSync(join(dir, `${index}.key`), 'utf8'),
    keyType: keyTypeOf(index),
  }));
  loaded.set(ceiling, pool);
  return pool;
}

// Half ECDSA, half RSA: nginx and Node parse the two at quite different speeds.
function keyTypeOf(index: number): 'ecdsa' | 'rsa' {
  return index % 2 === 0 ? 'ecdsa' : 'rsa';
}

function isComplete(dir: string): boolean {
  return existsSync(join(dir, 'complete'));
}

function generatePool(dir: string, ceiling: number): void {
  // Built in a sibling directory and renamed into place, so a crash or a concurrent run never leaves a half pool.
  const staging = mkdtempSync(`${dir}.staging-`);
  try {
    for (let index = 0; index < POOL_SIZE; index += 1) {
      const names: string[] = [];
      for (let m = index; m < ceiling; m += POOL_SIZE) names.push(`DNS:*.ns-${m}.example.com`);
      const keyArguments =
        keyTypeOf(index) === 'ecdsa' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
      execFileSync(
        'openssl',
        [
          'req', '-x509', '-nodes', ...keyArguments,
          '-keyout', join(staging, `${index}.key`),
          '-out', join(staging, `${index}.crt`),
          '-days', String(VALIDITY_DAYS),
          '-subj', `/CN=*.ns-${index}.example.com`,
          '-addext', `subjectAltName=${names.join(',')}`,
          '-addext', 'extendedKeyUsage=serverAuth',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    }
    writeFileSync(join(staging, 'complete'), '');
    // A directory left by a run that died before this marker existed cannot be renamed over.
    if (existsSync(dir) && !isComplete(dir)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process finished first: its pool is as good as ours.
      if (!isComplete(dir)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

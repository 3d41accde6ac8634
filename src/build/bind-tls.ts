// Step 5 of the build: which certificate each TLS host presents. A Secret that is missing or bad falls back
// to the default certificate for that host, with a diagnostic; the host stays served.
import { checkCertificate, nameSetOf, namesCoverHost } from '../certificates/check-certificate.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { keyOf, refOf, type Ingress, type Secret } from '../model/kube.js';
import { KeyMaterial, type TlsBinding, type TlsCertificate } from '../model/nginx-model.js';

export interface TlsBindings {
  readonly byHost: ReadonlyMap<string, TlsBinding>;
  /** Only the certificates some host uses, sorted by name. */
  readonly certificates: readonly TlsCertificate[];
  readonly diagnostics: readonly Diagnostic[];
}

/** One TLS entry of an Ingress; every host it claims shares this object. */
interface HostClaim {
  readonly ingress: Ingress;
  readonly field: string;
  readonly secretName: string | undefined;
  /** `namespace/secretName`, the Secret's index key; undefined without a secretName. */
  readonly secretKey: string | undefined;
}

/**
 * `ingresses` must be sorted oldest first; the oldest claim on a host wins. A TLS entry without hosts
 * covers every host of its Ingress's rules; a TLS host that its Ingress's rules do not name is ignored.
 */
export function bindTls(ingresses: readonly Ingress[], secrets: readonly Secret[], servedHosts: ReadonlySet<string>, now: Date): TlsBindings {
  const diagnostics: Diagnostic[] = [];
  const claims = new Map<string, HostClaim>();
  for (const ingress of ingresses) {
    if (ingress.tls.length === 0) continue;
    const ownHosts = new Set<string>();
    for (const rule of ingress.rules) if (rule.host !== undefined) ownHosts.add(rule.host.toLowerCase());
    ingress.tls.forEach((tls, i) => {
      const { secretName } = tls;
      const secretKey = secretName === undefined ? undefined : `${ingress.metadata.namespace}/${secretName}`;
      const claim: HostClaim = { ingress, field: `spec.tls[${i}]`, secretName, secretKey };
      // Lower-cased and without repeats: a host listed twice is claimed (and reported) once.
      const hosts = tls.hosts.length > 0 ? new Set(tls.hosts.map((h) => h.toLowerCase())) : ownHosts;
      for (const host of hosts) {
        // An Ingress turns on TLS only for hosts its own rules serve: another team's Ingress must not
        // switch someone else's host to HTTPS (and to a redirect).
        if (!servedHosts.has(host) || !ownHosts.has(host)) continue;
        const winner = claims.get(host);
        if (winner === undefined) claims.set(host, claim);
        else if (!isSameSecret(winner, claim)) diagnostics.push(tlsConflict(host, claim, winner));
      }
    });
  }

  const secretsByKey = new Map(secrets.map((s) => [keyOf(s.metadata), s]));
  const certificates = new Map<string, TlsCertificate | undefined>();
  // A certificate can name a hundred hosts and serve ten: its names become a set once, not a scan per host.
  const names = new Map<TlsCertificate, ReadonlySet<string>>();
  const byHost = new Map<string, TlsBinding>();
  const reported = new Set<string>();
  const report = (claim: HostClaim, d: Omit<Diagnostic, 'object' | 'field'>): void => {
    const key = `${keyOf(claim.ingress.metadata)} ${claim.field} ${d.code} ${d.message}`;
    if (reported.has(key)) return;
    reported.add(key);
    diagnostics.push({ ...d, object: refOf(claim.ingress), field: `${claim.field}.secretName` });
  };

  for (const [host, claim] of [...claims].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { secretKey } = claim;
    if (secretKey === undefined) {
      byHost.set(host, DEFAULT_BINDING);
      continue;
    }
    if (!certificates.has(secretKey)) {
      certificates.set(secretKey, loadCertificate(secretsByKey.get(secretKey), claim, now, (d) => report(claim, d)));
    }
    const certificate = certificates.get(secretKey);
    if (certificate === undefined) {
      byHost.set(host, DEFAULT_BINDING);
      continue;
    }
    let certificateNames = names.get(certificate);
    if (certificateNames === undefined) names.set(certificate, (certificateNames = nameSetOf(certificate.subjectAltNames)));
    if (!namesCoverHost(certificateNames, host)) {
      report(claim, {
        severity: 'warning',
        code: 'TLS_HOST_NOT_COVERED',
        message: `the certificate of Secret ${claim.secretName} does not cover host ${host} (it names ${certificate.subjectAltNames.join(', ') || 'no DNS name'})`,
      });
    }
    byHost.set(host, { kind: 'secret', certificate: certificate.name });
  }

  const used = [...certificates.values()].filter((c): c is TlsCertificate => c !== undefined);
  return { byHost, certificates: used.sort((a, b) => (a.name < b.name ? -1 : 1)), diagnostics };
}

// Holds nothing per host, so every host on the default certificate shares it.
const DEFAULT_BINDING: TlsBinding = Object.freeze({ kind: 'default' });

function loadCertificate(
  secret: Secret | undefined,
  claim: HostClaim,
  now: Date,
  report: (d: Omit<Diagnostic, 'object' | 'field'>) => void,
): TlsCertificate | undefined {
  const name = claim.secretName ?? '';
  if (secret === undefined) {
    report({ severity: 'error', code: 'TLS_SECRET_NOT_FOUND', message: `Secret ${name} does not exist; the default certificate is served instead` });
    return undefined;
  }
  const certificatePem = secret.data['tls.crt'];
  const keyPem = secret.data['tls.key'];
  if (certificatePem === undefined || keyPem === undefined) {
    report({ severity: 'error', code: 'TLS_SECRET_INVALID', message: `Secret ${name} lacks tls.crt or tls.key; the default certificate is served instead` });
    return undefined;
  }
  const check = checkCertificate(certificatePem, keyPem, now);
  if (!check.ok) {
    report({ severity: 'error', code: 'TLS_SECRET_INVALID', message: `Secret ${name}: ${check.reason}; the default certificate is served instead` });
    return undefined;
  }
  if (check.isExpired) {
    report({ severity: 'warning', code: 'TLS_CERTIFICATE_EXPIRED', message: `the certificate of Secret ${name} expired on ${check.notAfter}` });
  }
  return {
    name: `${secret.metadata.namespace}_${secret.metadata.name}`,
    secret: refOf(secret),
    subjectAltNames: check.subjectAltNames,
    notAfter: check.notAfter,
    fingerprint256: check.fingerprint256,
    material: new KeyMaterial(certificatePem, keyPem),
  };
}

function isSameSecret(a: HostClaim, b: HostClaim): boolean {
  return a.ingress.metadata.namespace === b.ingress.metadata.namespace && a.secretName === b.secretName;
}

function tlsConflict(host: string, loser: HostClaim, winner: HostClaim): Diagnostic {
  return {
    severity: 'warning',
    code: 'TLS_CONFLICT',
    object: refOf(loser.ingress),
    field: loser.field,
    message: `host ${host} already takes its certificate from Ingress ${keyOf(winner.ingress.metadata)} (older); this TLS entry is ignored for it`,
  };
}

// Size limits on what the controller accepts from one object, so one huge Ingress is rejected alone
// instead of slowing or breaking the config every other host is served from.
import type { Ingress } from '../model/kube.js';

/**
 * The limits, in one place so the annotation framework can import them. Generous next to real clusters
 * (the largest Ingresses seen in the wild carry a few hundred paths) and well under what makes one
 * object dominate a rebuild or `nginx -t`.
 */
export const LIMITS = {
  /** Rules (hosts) in one Ingress. */
  maxRulesPerIngress: 500,
  /** Paths in one Ingress, over all its rules. */
  maxPathsPerIngress: 2000,
  /** `spec.tls` entries in one Ingress, and hosts in one entry. */
  maxTlsEntriesPerIngress: 100,
  maxHostsPerTlsEntry: 500,
  /** One annotation value, in UTF-8 bytes. */
  maxAnnotationValueBytes: 16 * 1024,
  /** All annotation keys and values of one object, in UTF-8 bytes (the API server's own cap is 256 KiB). */
  maxAnnotationBytes: 256 * 1024,
  /** One Ingress, as the sum of the strings it carries, in UTF-8 bytes (etcd refuses objects over 1.5 MiB). */
  maxIngressBytes: 1024 * 1024,
} as const;

/** A limit an object goes over: the field, and a message naming the limit and the size found. */
export interface LimitProblem {
  readonly field: string;
  readonly message: string;
}

/** Every limit this Ingress goes over; empty (the shared empty list) when it stays within all of them. */
export function ingressLimitProblems(ingress: Ingress): readonly LimitProblem[] {
  const problems: LimitProblem[] = [];
  const over = (field: string, what: string, found: number, limit: number): void => {
    problems.push({ field, message: `${what} is ${found}, over the limit of ${limit}` });
  };
  if (ingress.rules.length > LIMITS.maxRulesPerIngress) over('spec.rules', 'the number of rules', ingress.rules.length, LIMITS.maxRulesPerIngress);
  let paths = 0;
  let bytes = 0;
  for (const rule of ingress.rules) {
    paths += rule.paths.length;
    bytes += byteLength(rule.host ?? '');
    for (const path of rule.paths) bytes += byteLength(path.path ?? '') + byteLength(path.backend?.serviceName ?? '') + 16;
  }
  if (paths > LIMITS.maxPathsPerIngress) over('spec.rules', 'the number of paths', paths, LIMITS.maxPathsPerIngress);
  if (ingress.tls.length > LIMITS.maxTlsEntriesPerIngress) over('spec.tls', 'the number of TLS entries', ingress.tls.length, LIMITS.maxTlsEntriesPerIngress);
  ingress.tls.forEach((tls, i) => {
    if (tls.hosts.length > LIMITS.maxHostsPerTlsEntry) over(`spec.tls[${i}].hosts`, 'the number of TLS hosts', tls.hosts.length, LIMITS.maxHostsPerTlsEntry);
    for (const host of tls.hosts) bytes += byteLength(host);
    bytes += byteLength(tls.secretName ?? '');
  });
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(ingress.metadata.annotations)) {
    const valueBytes = byteLength(value);
    annotationBytes += byteLength(key) + valueBytes;
    if (valueBytes > LIMITS.maxAnnotationValueBytes) {
      // The key is printed as JSON: it is user-written and may hold anything.
      over(`metadata.annotations[${JSON.stringify(key)}]`, 'the annotation value size in bytes', valueBytes, LIMITS.maxAnnotationValueBytes);
    }
  }
  if (annotationBytes > LIMITS.maxAnnotationBytes) over('metadata.annotations', 'the total annotation size in bytes', annotationBytes, LIMITS.maxAnnotationBytes);
  bytes += annotationBytes;
  if (bytes > LIMITS.maxIngressBytes) over('', 'the object size in bytes', bytes, LIMITS.maxIngressBytes);
  return problems.length === 0 ? noProblems : problems;
}

const noProblems: readonly LimitProblem[] = [];

/** UTF-8 length; the ASCII common case is just the string length, which spares an encoding per value. */
function byteLength(value: string): number {
  // eslint-disable-next-line no-control-regex -- the ASCII range is the point
  return /^[\u0000-\u007f]*$/.test(value) ? value.length : Buffer.byteLength(value, 'utf8');
}

// The migration cost of a set of manifests: each annotation Portico does not support, with the Ingresses
// that carry it, from the build's diagnostics.
import type { Diagnostic } from '../model/diagnostic.js';

export interface UnsupportedAnnotation {
  /** The whole key, prefix included. */
  readonly key: string;
  /** `namespace/name`, sorted. */
  readonly ingresses: readonly string[];
  /** Whether an Ingress carrying it is rejected rather than served without it. */
  readonly rejects: boolean;
}

export function summarizeUnsupported(diagnostics: readonly Diagnostic[]): UnsupportedAnnotation[] {
  const byKey = new Map<string, { ingresses: Set<string>; rejects: boolean }>();
  for (const d of diagnostics) {
    if (d.code !== 'UNSUPPORTED_ANNOTATION') continue;
    const key = /^metadata\.annotations\["(.*)"\]$/.exec(d.field)?.[1];
    if (key === undefined) continue;
    let entry = byKey.get(key);
    if (entry === undefined) byKey.set(key, (entry = { ingresses: new Set(), rejects: false }));
    entry.ingresses.add(`${d.object.namespace}/${d.object.name}`);
    entry.rejects ||= d.severity === 'error';
  }
  return [...byKey]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, entry]) => ({ key, ingresses: [...entry.ingresses].sort(), rejects: entry.rejects }));
}

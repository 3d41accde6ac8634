// Step 2b of the build: an Ingress's annotations → the parsed policy of every module that has a key set.
// A bad value, or an annotation above the operator's risk level, rejects that Ingress alone; keys Portico
// does not know are reported and ignored (except the few whose absence would open access: see
// ingress-nginx-keys.ts).
import type { Diagnostic } from '../model/diagnostic.js';
import { refOf, type Ingress } from '../model/kube.js';
import { riskLevels, type AnnotationKey, type AnnotationReader } from './annotation.js';
import { unsupportedKeyKind } from './ingress-nginx-keys.js';
import { annotationModules, type AnnotationPolicies } from './registry.js';
import type { AnnotationSettings } from './annotation-settings.js';

export interface IngressAnnotations {
  readonly policies: AnnotationPolicies;
  readonly diagnostics: readonly Diagnostic[];
}

const noPolicies: AnnotationPolicies = Object.freeze({});
const noDiagnostics: readonly Diagnostic[] = Object.freeze([]);

/** Every key any module reads, once. */
const knownKeys: ReadonlySet<string> = new Set(annotationModules.flatMap((m) => m.keys.map((k) => k.key)));

/** Other controllers' prefixes that migrating users meet; reported so `lint` shows the migration cost. */
const foreignPrefixes = ['nginx.org/', 'nginx.com/', 'appprotect.f5.com/', 'appprotectdos.f5.com/'];

export function readIngressAnnotations(ingress: Ingress, settings: AnnotationSettings): IngressAnnotations {
  const annotations = ingress.metadata.annotations;
  const prefix = `${settings.prefix}/`;
  let ours: Map<string, string> | undefined;
  const diagnostics: Diagnostic[] = [];
  const object = refOf(ingress);
  const fieldOf = (key: string): string => `metadata.annotations["${key}"]`;

  for (const [fullKey, value] of Object.entries(annotations)) {
    if (fullKey.startsWith(prefix)) {
      const key = fullKey.slice(prefix.length);
      if (knownKeys.has(key)) (ours ??= new Map()).set(key, value);
      else {
        const kind = unsupportedKeyKind(key);
        diagnostics.push({
          severity: kind === 'restricts-access' ? 'error' : kind === 'unsupported' ? 'warning' : 'info',
          code: kind === 'unknown' ? 'UNKNOWN_ANNOTATION' : 'UNSUPPORTED_ANNOTATION',
          object,
          field: fieldOf(fullKey),
          message:
            kind === 'restricts-access'
              ? 'rejected: this ingress-nginx annotation restricts access and Portico does not support it; serving the Ingress without it would open what it protects'
              : kind === 'unsupported'
                ? 'an ingress-nginx annotation Portico does not support; ignored'
                : 'not an annotation ingress-nginx or Portico knows; ignored',
        });
      }
    } else if (foreignPrefixes.some((p) => fullKey.startsWith(p))) {
      diagnostics.push({ severity: 'info', code: 'UNSUPPORTED_ANNOTATION', object, field: fieldOf(fullKey), message: "another controller's annotation; ignored" });
    }
  }
  if (ours === undefined) return diagnostics.length === 0 ? { policies: noPolicies, diagnostics: noDiagnostics } : { policies: noPolicies, diagnostics };

  const values = ours;
  const allowedRisk = riskLevels.indexOf(settings.riskLevel);
  const policies: Record<string, unknown> = {};
  for (const module of annotationModules) {
    const present = module.keys.filter((k) => values.has(k.key));
    if (present.length === 0) continue;
    const risk = module.riskWith?.(settings) ?? module.risk;
    if (riskLevels.indexOf(risk) > allowedRisk) {
      for (const k of present) {
        diagnostics.push({
          severity: 'error',
          code: 'ANNOTATION_REFUSED',
          object,
          field: fieldOf(prefix + k.key),
          message: `rejected: this annotation's risk level is ${risk}, above what the operator allows (annotations-risk-level: ${settings.riskLevel})`,
        });
      }
      continue;
    }
    const problems: Diagnostic[] = [];
    const problem = (key: AnnotationKey<unknown>, message: string): void => {
      problems.push({ severity: 'error', code: 'INVALID_ANNOTATION', object, field: fieldOf(prefix + key.key), message: `rejected: ${message}` });
    };
    const reader: AnnotationReader = {
      ingress: object,
      settings,
      has: (key) => values.has(key.key),
      problem,
      refuse: (key, message) => {
        problems.push({ severity: 'error', code: 'ANNOTATION_REFUSED', object, field: fieldOf(prefix + key.key), message: `rejected: ${message}` });
      },
      value: <T>(key: AnnotationKey<T>): T | undefined => {
        const raw = values.get(key.key);
        if (raw === undefined) return undefined;
        // Sizes are checked with the Ingress's other limits (build/limits.ts); grammars bound their own lengths.
        const parsed = hasControlCharacter(raw, key.isMultiline === true) ? undefined : key.grammar.parse(raw.trim());
        if (parsed === undefined) problem(key, `expected ${key.grammar.describe}`);
        return parsed;
      },
    };
    const parsed = module.parse(reader);
    diagnostics.push(...problems);
    if (problems.length === 0 && parsed !== undefined) policies[module.name] = parsed;
  }
  return { policies: policies as AnnotationPolicies, diagnostics };
}

function hasControlCharacter(value: string, isMultiline: boolean): boolean {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  return isMultiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value) : /[\u0000-\u001f\u007f]/.test(value);
}

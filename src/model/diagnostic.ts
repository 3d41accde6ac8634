// Diagnostics: what the build found wrong or noteworthy, always naming the object and the reason.
import type { ObjectRef } from './kube.js';

export type Severity = 'error' | 'warning' | 'info';

/** Stable codes; documented in docs/diagnostics.md. */
export type DiagnosticCode =
  | 'INVALID_OBJECT'
  | 'OBJECT_TOO_LARGE'
  | 'INVALID_HOST'
  | 'INVALID_PATH'
  | 'INVALID_BACKEND'
  | 'IGNORED_CLASS'
  | 'PATH_CONFLICT'
  | 'DEFAULT_BACKEND_CONFLICT'
  | 'CANARY_WITHOUT_MAIN'
  | 'CANARY_CONFLICT'
  | 'SERVICE_NOT_FOUND'
  | 'SERVICE_PORT_NOT_FOUND'
  | 'SERVICE_TYPE_UNSUPPORTED'
  | 'NO_READY_ENDPOINTS'
  | 'TLS_SECRET_NOT_FOUND'
  | 'TLS_SECRET_INVALID'
  | 'TLS_HOST_NOT_COVERED'
  | 'TLS_CERTIFICATE_EXPIRED'
  | 'TLS_CONFLICT'
  | 'AUTH_SECRET_NOT_FOUND'
  | 'AUTH_SECRET_INVALID'
  | 'UNSUPPORTED_BACKEND'
  | 'INVALID_SETTING'
  | 'INVALID_ANNOTATION'
  | 'ANNOTATION_REFUSED'
  | 'ANNOTATION_CONFLICT'
  | 'UNSUPPORTED_ANNOTATION'
  | 'UNKNOWN_ANNOTATION';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly object: ObjectRef;
  /** Where in the object, as a JSON-path-like string (`spec.rules[0].host`); empty for the whole object. */
  readonly field: string;
  readonly message: string;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sort for stable output: by object, then field, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareText(a.object.kind, b.object.kind) ||
    compareText(a.object.namespace, b.object.namespace) ||
    compareText(a.object.name, b.object.name) ||
    compareText(a.field, b.field) ||
    severityRank[a.severity] - severityRank[b.severity] ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}

/** Code-unit order: locale-independent, so output never depends on the machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line for humans: `error INVALID_PATH Ingress default/web spec.rules[0]...: reason`. */
export function formatDiagnostic(d: Diagnostic): string {
  const object = d.object.namespace === '' ? d.object.name : `${d.object.namespace}/${d.object.name}`;
  const where = d.field === '' ? '' : ` ${d.field}`;
  return `${d.severity} ${d.code} ${d.object.kind} ${object}${where}: ${d.message}`;
}

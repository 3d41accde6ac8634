// What the operator decides about annotations: the prefix Portico reads, the highest risk level it
// accepts, and whether and how snippets are allowed.
import type { RiskLevel } from './annotation.js';

export interface AnnotationSettings {
  /** `nginx.ingress.kubernetes.io` unless `--annotations-prefix` says otherwise. */
  readonly prefix: string;
  /** Annotations above this level reject their Ingress (ConfigMap `annotations-risk-level`). */
  readonly riskLevel: RiskLevel;
  /** ConfigMap `allow-snippet-annotations`; off by default. */
  readonly allowSnippets: boolean;
  /**
   * Directives a snippet may use (ConfigMap `snippet-allowed-directives`, comma-separated); `*` allows any
   * directive, as ingress-nginx does. Each snippet is tokenized and refused if it uses anything else.
   */
  readonly snippetDirectives: readonly string[];
}

export const DEFAULT_ANNOTATIONS_PREFIX = 'nginx.ingress.kubernetes.io';

export const defaultAnnotationSettings: AnnotationSettings = {
  prefix: DEFAULT_ANNOTATIONS_PREFIX,
  riskLevel: 'high',
  allowSnippets: false,
  snippetDirectives: ['add_header', 'more_set_headers'],
};

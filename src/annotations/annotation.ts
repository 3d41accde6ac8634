// What an annotation module is: its keys with their closed value grammars, its scope, its risk level, its
// user documentation, how it parses, and its effect on the model. One module per annotation (or per group
// of keys that only mean something together) lives in src/annotations/modules/; docs/annotations.md is
// generated from these declarations.
import type { Directive } from '../model/directive.js';
import type { ObjectRef } from '../model/kube.js';
import type { BackendProtocol } from '../model/nginx-model.js';
import type { AnnotationSettings } from './annotation-settings.js';
import type { Grammar } from './grammars.js';

/** Where the annotation acts. `upstream` and `ingress` ones are read by build steps rather than adding directives. */
export type AnnotationScope = 'location' | 'server' | 'upstream' | 'ingress';

/**
 * How much an annotation can do if its author is hostile, as in ingress-nginx: `critical` ones (snippets)
 * inject configuration; `high` ones reach other systems or files. The operator's `annotations-risk-level`
 * refuses every annotation above it.
 */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export const riskLevels: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/** One annotation key: the part after `<prefix>/`, the grammar of its value, and what it means. */
export interface AnnotationKey<T = unknown> {
  readonly key: string;
  readonly grammar: Grammar<T>;
  /** Shown in the docs; undefined when absence simply means "off". */
  readonly defaultValue: string | undefined;
  readonly description: string;
  /** The value may span lines (snippets): tabs and line breaks pass the reader, other control characters do not. */
  readonly isMultiline?: boolean;
}

export function annotationKey<T>(key: string, grammar: Grammar<T>, description: string, defaultValue?: string): AnnotationKey<T> {
  return { key, grammar, description, defaultValue };
}

/** Reads one Ingress's annotations for a module; invalid values become problems that reject the Ingress. */
export interface AnnotationReader {
  /** The parsed value, or undefined when the key is absent or invalid (then a problem is recorded). */
  value<T>(key: AnnotationKey<T>): T | undefined;
  /** Whether the Ingress sets the key at all (valid or not). */
  has(key: AnnotationKey<unknown>): boolean;
  /** A problem that no single grammar sees (keys that contradict each other, a value out of context). */
  problem(key: AnnotationKey<unknown>, message: string): void;
  /** The operator's settings refuse the key (snippets off): an ANNOTATION_REFUSED error that rejects the Ingress. */
  refuse(key: AnnotationKey<unknown>, message: string): void;
  /** The Ingress being read, for messages and for names derived from it. */
  readonly ingress: ObjectRef;
  readonly settings: AnnotationSettings;
}

/** The Ingress path a location serves, as an annotation effect sees it. */
export interface LocationContext {
  readonly ingress: ObjectRef;
  /** The path as written in the Ingress (a regex when the Ingress uses regex paths). */
  readonly path: string;
  readonly isRegex: boolean;
  /** The upstream the location proxies to; undefined when it answers with a status instead. */
  readonly upstream: string | undefined;
  /** How nginx speaks to that upstream (backend-protocol): gRPC locations set `grpc_set_header`, not `proxy_set_header`. */
  readonly protocol: BackendProtocol;
  /** The Service and port (number or name, as written) the Ingress path names. */
  readonly service: string;
  readonly servicePort: string;
}

export interface ServerContext {
  readonly ingress: ObjectRef;
  /** Lower-case host; empty for the catch-all server. */
  readonly host: string;
}

/** What a parsed annotation adds to the config; every list is rendered in module order, then as given. */
export interface AnnotationEffect<T> {
  /** Directives inside each location the Ingress serves. */
  readonly location?: (value: T, context: LocationContext) => readonly Directive[];
  /** Directives in each server the Ingress has rules on (the oldest Ingress wins when several set it). */
  readonly server?: (value: T, context: ServerContext) => readonly Directive[];
  /** Directives at http{} level (zones, maps); identical ones from several Ingresses appear once. */
  readonly http?: (value: T, context: ServerContext) => readonly Directive[];
  /**
   * Internal locations (`location = … { internal; … }`) each server the Ingress has rules on needs: unlike
   * `server`, every Ingress's appear (identical ones once, so Ingresses may share one), after the server directives.
   */
  readonly internalLocations?: (value: T, context: ServerContext) => readonly Directive[];
}

export interface AnnotationModule<Name extends string = string, T = unknown> {
  /** The module's name, also its key in the parsed policies and its file name. */
  readonly name: Name;
  readonly keys: readonly AnnotationKey[];
  readonly scope: AnnotationScope;
  readonly risk: RiskLevel;
  /**
   * When the risk depends on the operator's settings (snippets: `critical` once `*` allows any directive):
   * the level checked against annotations-risk-level; `risk` is then the level with the default settings.
   */
  readonly riskWith?: (settings: AnnotationSettings) => RiskLevel;
  /** User documentation: what it does, how it differs from ingress-nginx if it does. */
  readonly description: string;
  /** The module's value for one Ingress; undefined when none of its keys is set. */
  readonly parse: (read: AnnotationReader) => T | undefined;
  readonly effect: AnnotationEffect<T>;
}

/** Declares a module, keeping its name literal so the policies type knows every module. */
export function defineAnnotation<const Name extends string, T>(module: AnnotationModule<Name, T>): AnnotationModule<Name, T> {
  return module;
}

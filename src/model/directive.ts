// nginx directives as data: what an annotation adds to a location, a server or the http{} block. Arguments
// say what they are (a literal, a regex, a string with variables, a keyword), and render/format-directives is
// the only place that turns them into text, through the quoting helpers. So no annotation module ever
// writes nginx syntax, and no user value can become one.

/** One argument of a directive. */
export type DirectiveArg =
  /** Any text, printed quoted; may not contain `$` (quote refuses it). */
  | { readonly kind: 'literal'; readonly text: string }
  /** A regular expression, printed quoted; `$` is an anchor. */
  | { readonly kind: 'regex'; readonly text: string }
  /**
   * Text in which nginx expands variables: every `$` must start a capture (`$1`) or one of `variables`,
   * checked again at render.
   */
  | { readonly kind: 'expansion'; readonly text: string; readonly variables: readonly string[] }
  /** A keyword or number chosen by code (`on`, `301`, `zone=portico_x`): printed bare, checked against a token grammar. */
  | { readonly kind: 'keyword'; readonly text: string }
  /** A variable chosen by code, printed bare: `$request_method`. */
  | { readonly kind: 'variable'; readonly name: string }
  /**
   * A file Portico writes under the runtime directory (an htpasswd file), named by code: the render knows
   * where the runtime directory is, the build does not. Printed as its quoted absolute path.
   */
  | { readonly kind: 'runtimeFile'; readonly file: RuntimeFileRef };

/** A file in one of the runtime directory's private areas; `name` is derived by code, never user text. */
export interface RuntimeFileRef {
  readonly area: 'auth';
  readonly name: string;
}

export interface Directive {
  readonly name: string;
  readonly args: readonly DirectiveArg[];
  /** A block (`if (…) { … }`, `location … { … }`); undefined for a simple directive. */
  readonly block?: readonly Directive[];
  /** The `key value;` entries of a data block (`map`, `split_clients`, `geo`): see {@link mapBlock}, {@link splitClientsBlock}, {@link geoBlock}. */
  readonly entries?: readonly DataEntry[];
}

/**
 * The key of one data-block entry. Keys are data, never directive names: the renderer quotes them, and
 * escapes a string key nginx would otherwise read as a keyword (`default`, `include`…) or a regex (`~…`).
 */
export type DataKey =
  /** map: the value when nothing else matches. */
  | { readonly kind: 'default' }
  /** map: a string, matched ignoring case (nginx's map hash is case-insensitive). */
  | { readonly kind: 'string'; readonly text: string }
  /** map: a regular expression, `~` (case-sensitive) or `~*`; tried in the order written, after the strings. */
  | { readonly kind: 'regex'; readonly pattern: string; readonly caseInsensitive: boolean }
  /** split_clients: this share of the hashed values, in hundredths of a percent (1…10000). */
  | { readonly kind: 'share'; readonly hundredths: number }
  /** split_clients: what the shares before it leave (`*`). */
  | { readonly kind: 'rest' }
  /** geo: an IPv4 or IPv6 address or CIDR block, as the cidr grammars return it. */
  | { readonly kind: 'network'; readonly cidr: string };

/** `key value;` in a data block; the value is an argument like any other (a literal, a variable…). */
export interface DataEntry {
  readonly key: DataKey;
  readonly value: DirectiveArg;
}

export const literal = (text: string): DirectiveArg => ({ kind: 'literal', text });
export const regex = (text: string): DirectiveArg => ({ kind: 'regex', text });
export const keyword = (text: string | number): DirectiveArg => ({ kind: 'keyword', text: String(text) });
export const variable = (name: string): DirectiveArg => ({ kind: 'variable', name });
export const runtimeFile = (file: RuntimeFileRef): DirectiveArg => ({ kind: 'runtimeFile', file });
export const expansion = (text: string, variables: readonly string[] = []): DirectiveArg => ({ kind: 'expansion', text, variables });

/** `name arg…;` */
export function directive(name: string, ...args: DirectiveArg[]): Directive {
  return { name, args };
}

/** `name arg… { block }` */
export function blockDirective(name: string, args: readonly DirectiveArg[], block: readonly Directive[]): Directive {
  return { name, args, block };
}

/** `map source $target { key value; … }`: `target` names the variable the map defines. */
export function mapBlock(source: DirectiveArg, target: string, entries: readonly DataEntry[]): Directive {
  return { name: 'map', args: [source, variable(target)], entries };
}

/** `split_clients "source" $target { 30% value; * value; }`: a stable split of `source`'s hashed values. */
export function splitClientsBlock(source: DirectiveArg, target: string, entries: readonly DataEntry[]): Directive {
  return { name: 'split_clients', args: [source, variable(target)], entries };
}

/** `geo $source $target { default value; network value; … }`: the value of the most specific network holding `$source`. */
export function geoBlock(source: string, target: string, entries: readonly DataEntry[]): Directive {
  return { name: 'geo', args: [variable(source), variable(target)], entries };
}

/** The shared empty list: most locations have no annotation. */
export const noDirectives: readonly Directive[] = Object.freeze([]);

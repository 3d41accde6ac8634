// What configuration-snippet and server-snippet share: whether the operator allows snippets, the snippet
// tokenized (tokenize-snippet), each directive checked against the operator's allow-list with its arguments
// validated, and the result as directive data. A snippet that fails any check rejects its Ingress.
import { directive, expansion, keyword, literal, blockDirective, type Directive, type DirectiveArg } from '../model/directive.js';
import type { AnnotationKey, AnnotationReader, RiskLevel } from './annotation.js';
import type { AnnotationSettings } from './annotation-settings.js';
import type { Grammar } from './grammars.js';
import { tokenizeSnippet, type SnippetStatement } from './tokenize-snippet.js';

/** The user documentation both snippet modules share. */
export const SNIPPET_RULES =
  'Refused unless the controller ConfigMap says `allow-snippet-annotations: "true"`: the Ingress is then rejected (ANNOTATION_REFUSED) ' +
  'rather than served without its snippet, since a snippet may be what restricts access. Unlike ingress-nginx, the snippet is never pasted ' +
  'into nginx.conf: it is tokenized strictly (printable ASCII; no comments, no quotes or backslashes inside bare words) and each ' +
  'directive must be on the ConfigMap\'s `snippet-allowed-directives` (default `add_header, more_set_headers`), without blocks; ' +
  'add_header takes a header name, a value that may use only $host $scheme $request_id $uri $request_uri $server_name, and optionally ' +
  '`always`; more_set_headers "Name: value" becomes `proxy_hide_header Name; add_header Name "value" always;` (the headers-more ' +
  'module is not loaded): the backend\'s header of that name is replaced, but headers nginx writes itself (Server, Date, Content-Type) ' +
  'are not, and -s, -t and clearing a header are refused; other ' +
  'allowed directives take arguments without variables (checked for syntax only: one nginx refuses fails the reload, and the running ' +
  'config keeps serving). Risk high; with `*` on the allow-list any directive and block is accepted ' +
  '(as in ingress-nginx, except include, load_module, ssl_engine, env, Lua, Perl, njs and if, always refused), still re-rendered ' +
  'through the quoting helpers, and the risk is critical. Any refused directive rejects the Ingress, naming it.';

/** The raw snippet: the tokenizer decides, so the grammar only bounds its size. */
export const snippetText: Grammar<string> = {
  describe: 'nginx directives (see the snippet rules above)',
  parse: (raw) => (raw.length > 0 && raw.length <= 16_384 ? raw : undefined),
};

/** Variables an add_header value may use in allow-list mode: what a security header or a trace id needs. */
export const SNIPPET_VARIABLES: readonly string[] = ['host', 'scheme', 'request_id', 'uri', 'request_uri', 'server_name'];

/**
 * Directives refused even when the operator allows `*`: they read files, load code or run scripts, which no
 * Ingress author should reach (the anchor's snippet CVEs used exactly these).
 */
const neverAllowed = /^(?:include|load_module|ssl_engine|env|perl.*|js_.*|lua_.*|.*_by_lua(?:_block|_file)?|.*_by_njs)$/;

/** `*` on the allow-list: any directive (ingress-nginx's meaning), still tokenized and re-rendered. */
export function allowsAnyDirective(settings: AnnotationSettings): boolean {
  return settings.snippetDirectives.includes('*');
}

/** Snippets are `high` with an allow-list (each argument validated), `critical` when `*` allows any directive. */
export function snippetRisk(settings: AnnotationSettings): RiskLevel {
  return allowsAnyDirective(settings) ? 'critical' : 'high';
}

/** The directives of a snippet annotation, or undefined (with a problem recorded) when it is refused. */
export function readSnippet(r: AnnotationReader, key: AnnotationKey<string>): readonly Directive[] | undefined {
  const text = r.value(key);
  if (text === undefined) return undefined;
  if (!r.settings.allowSnippets) {
    r.refuse(key, 'snippets are disabled: the controller ConfigMap does not say allow-snippet-annotations: "true"');
    return undefined;
  }
  const tokens = tokenizeSnippet(text);
  if ('problem' in tokens) {
    r.problem(key, `the snippet ${tokens.problem}`);
    return undefined;
  }
  const directives: Directive[] = [];
  for (const statement of tokens.statements) {
    const checked = checkStatement(statement, r.settings);
    if (typeof checked === 'string') {
      r.problem(key, `the snippet's ${JSON.stringify(statement.name)} ${checked}`);
      return undefined;
    }
    directives.push(...checked);
  }
  return directives;
}

const directiveName = /^[a-z][a-z0-9_]{0,63}$/;

/** The directives one statement becomes, or why it is refused. */
function checkStatement(statement: SnippetStatement, settings: AnnotationSettings): Directive[] | string {
  const { name } = statement;
  if (!directiveName.test(name)) return 'is not a directive name';
  if (neverAllowed.test(name)) return 'is never allowed in a snippet (it reads files or runs code)';
  if (allowsAnyDirective(settings)) {
    const d = anyDirective(statement);
    return typeof d === 'string' ? d : [d];
  }
  if (!settings.snippetDirectives.includes(name)) return `is not on the operator's allow-list (snippet-allowed-directives: ${settings.snippetDirectives.join(', ')})`;
  if (statement.block !== undefined) return 'opens a block, which snippets may not';
  if (name === 'add_header') return addHeader(statement.args);
  if (name === 'more_set_headers') return moreSetHeaders(statement.args);
  const args: DirectiveArg[] = [];
  for (const arg of statement.args) {
    if (arg.includes('$')) return `uses a variable; only add_header values may, and only $${SNIPPET_VARIABLES.join(' $')}`;
    if (!isPrintable(arg)) return 'has an argument with characters outside printable ASCII';
    args.push(literal(arg));
  }
  return [directive(name, ...args)];
}

/** With `*`: any directive and block (but `if`, whose condition is not a list of arguments), variables kept. */
function anyDirective(statement: SnippetStatement): Directive | string {
  if (!directiveName.test(statement.name)) return `uses ${JSON.stringify(statement.name)}, which is not a directive name`;
  if (neverAllowed.test(statement.name)) return `uses ${statement.name}, which is never allowed in a snippet (it reads files or runs code)`;
  if (statement.name === 'if') return 'uses if, which snippets may not (write a map instead)';
  const args: DirectiveArg[] = [];
  for (const arg of statement.args) {
    if (!isPrintable(arg)) return `has an argument with characters outside printable ASCII`;
    const names: string[] = [];
    for (const [, open, name = '', close] of arg.matchAll(/\$(\{)?([A-Za-z0-9_]*)(\})?/g)) {
      if (name === '' || (open === undefined) !== (close === undefined)) return `has a "$" that starts no variable in ${JSON.stringify(arg)}`;
      names.push(name);
    }
    args.push(names.length === 0 ? literal(arg) : expansion(arg, names));
  }
  if (statement.block === undefined) return directive(statement.name, ...args);
  const inner: Directive[] = [];
  for (const s of statement.block) {
    const d = anyDirective(s);
    if (typeof d === 'string') return d;
    inner.push(d);
  }
  return blockDirective(statement.name, args, inner);
}

/** An RFC 9110 token: a header name. */
const headerName = /^[!#%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

/** A header value: printable ASCII, where `$` may only start one of SNIPPET_VARIABLES. */
function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function headerValueProblem(value: string): string | undefined {
  if (!isPrintable(value)) return 'has a header value with characters outside printable ASCII';
  for (const match of value.matchAll(/\$(\{)?([A-Za-z0-9_]*)(\})?/g)) {
    const [, open, name = '', close] = match;
    if (!SNIPPET_VARIABLES.includes(name) || (open === undefined) !== (close === undefined)) {
      return `uses $${name}; a header value may use only $${SNIPPET_VARIABLES.join(' $')}`;
    }
  }
  return undefined;
}

function headerValue(value: string): DirectiveArg {
  return value.includes('$') ? expansion(value, SNIPPET_VARIABLES) : literal(value);
}

/** `add_header Name value [always];` */
function addHeader(args: readonly string[]): Directive[] | string {
  const [name, value, flag, ...rest] = args;
  if (name === undefined || value === undefined || rest.length > 0) return 'takes a header name, a value and optionally "always"';
  if (!headerName.test(name)) return `has ${JSON.stringify(name)}, which is not a header name`;
  if (flag !== undefined && flag !== 'always') return `takes "always" as its third argument, not ${JSON.stringify(flag)}`;
  const problem = headerValueProblem(value);
  if (problem !== undefined) return problem;
  return [directive('add_header', literal(name), headerValue(value), ...(flag === undefined ? [] : [keyword('always')]))];
}

/**
 * `more_set_headers "Name: value"…` (the headers-more module, which Debian's nginx does not load), translated
 * to `proxy_hide_header Name; add_header Name "value" always;`: set on every response status and replacing
 * the backend's header of that name, as more_set_headers does. Unlike it, headers nginx itself writes
 * (Server, Date, Content-Type…) are added to, not replaced, and gRPC backends' headers are not hidden. The
 * -s and -t filters and clearing a header (`"Name:"`) are refused.
 */
function moreSetHeaders(args: readonly string[]): Directive[] | string {
  if (args.length === 0) return 'takes at least one "Name: value"';
  const directives: Directive[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) return `uses the ${arg} option, which Portico does not support`;
    const colon = arg.indexOf(':');
    const name = (colon === -1 ? arg : arg.slice(0, colon)).trim();
    const value = colon === -1 ? '' : arg.slice(colon + 1).trim();
    if (!headerName.test(name)) return `has ${JSON.stringify(name)}, which is not a header name`;
    if (value === '') return `clears ${name}, which Portico does not support (only setting a value)`;
    const problem = headerValueProblem(value);
    if (problem !== undefined) return problem;
    directives.push(directive('proxy_hide_header', literal(name)), directive('add_header', literal(name), headerValue(value), keyword('always')));
  }
  return directives;
}

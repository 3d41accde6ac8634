// A small nginx config tokenizer for the injection tests: statements, quoted strings, `#` comments and
// blocks, as nginx's own ngx_conf_parse reads them, and the set of directive names Portico may emit.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One word of a statement; `quoted` when it was written between `"` or `'` (its text is unescaped). */
export interface NginxToken {
  readonly text: string;
  readonly isQuoted: boolean;
}

/** `name args… ;` or `name args… { block }`. */
export interface NginxStatement {
  readonly name: NginxToken;
  readonly args: readonly NginxToken[];
  readonly block: readonly NginxStatement[] | undefined;
  readonly line: number;
}

export interface ParsedNginxConfig {
  readonly statements: readonly NginxStatement[];
  /** The text of every `#` comment, without the `#`. */
  readonly comments: readonly string[];
}

export class NginxSyntaxError extends Error {}

/** Parses nginx.conf text; throws NginxSyntaxError where nginx itself would refuse the structure. */
export function parseNginxConfig(text: string): ParsedNginxConfig {
  const comments: string[] = [];
  let i = 0;
  let line = 1;
  const fail = (why: string): never => {
    throw new NginxSyntaxError(`line ${line}: ${why}`);
  };

  /** The next token, `;`, `{`, `}` or undefined at the end. */
  const next = (): { kind: 'word'; token: NginxToken; line: number } | { kind: ';' | '{' | '}'; line: number } | undefined => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i] ?? '')) {
        if (text[i] === '\n') line++;
        i++;
      }
      if (i >= text.length) return undefined;
      if (text[i] !== '#') break;
      const end = text.indexOf('\n', i);
      comments.push(text.slice(i + 1, end === -1 ? text.length : end));
      i = end === -1 ? text.length : end;
    }
    const c = text[i] ?? '';
    if (c === ';' || c === '{' || c === '}') {
      i++;
      return { kind: c, line };
    }
    const startLine = line;
    if (c === '"' || c === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) fail('unterminated quoted string');
        const d = text[i] ?? '';
        if (d === '\\' && i + 1 < text.length) {
          const escaped = text[i + 1] ?? '';
          // nginx unescapes only \" \' \\ \t \r \n; any other backslash stays as written.
          const known: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' };
          value += known[escaped] ?? `\\${escaped}`;
          i += 2;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        if (d === '\n') line++;
        value += d;
        i++;
      }
      // nginx wants a separator right after a closing quote.
      const after = text[i];
      if (after !== undefined && !/[\s;{}]/.test(after)) fail(`unexpected "${after}" after a quoted string`);
      return { kind: 'word', token: { text: value, isQuoted: true }, line: startLine };
    }
    let value = '';
    while (i < text.length) {
      const d = text[i] ?? '';
      if (/\s/.test(d) || d === ';' || d === '}') break;
      if (d === '{') {
        // `${name}` is a variable, not a block.
        if (value.endsWith('$')) {
          const close = text.indexOf('}', i);
          if (close === -1) fail('unterminated ${');
          value += text.slice(i, close + 1);
          i = close + 1;
          continue;
        }
        break;
      }
      if (d === '\\' && i + 1 < text.length) {
        value += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      value += d;
      i++;
    }
    return { kind: 'word', token: { text: value, isQuoted: false }, line: startLine };
  };

  const parseBlock = (isTop: boolean): NginxStatement[] => {
    const statements: NginxStatement[] = [];
    let words: { token: NginxToken; line: number }[] = [];
    for (;;) {
      const token = next();
      if (token === undefined) {
        if (!isTop) fail('unexpected end of file, expecting "}"');
        if (words.length > 0) fail('unexpected end of file, expecting ";" or "}"');
        return statements;
      }
      if (token.kind === 'word') {
        words.push({ token: token.token, line: token.line });
        continue;
      }
      if (token.kind === '}') {
        if (isTop) fail('unexpected "}"');
        if (words.length > 0) fail('unexpected "}" before ";"');
        return statements;
      }
      const [first, ...rest] = words;
      if (first === undefined) fail(`unexpected "${token.kind}"`);
      const head = first as { token: NginxToken; line: number };
      const block = token.kind === '{' ? parseBlock(false) : undefined;
      statements.push({ name: head.token, args: rest.map((w) => w.token), block, line: head.line });
      words = [];
    }
  };

  return { statements: parseBlock(true), comments };
}

/** Every statement, depth first, with the names of the blocks it sits in (outermost first). */
export function* walkStatements(
  statements: readonly NginxStatement[],
  parents: readonly string[] = [],
): Generator<{ readonly statement: NginxStatement; readonly parents: readonly string[] }> {
  for (const statement of statements) {
    yield { statement, parents };
    if (statement.block !== undefined) yield* walkStatements(statement.block, [...parents, statement.name.text]);
  }
}

/** Blocks whose entries are data (key value pairs), not directives. */
const dataBlocks = new Set(['map', 'types', 'geo', 'split_clients']);

/**
 * Directive names that code, not the templates' literal text, puts into nginx.conf: the view model's
 * `{{directive}}`, `{{action}}` and `{{balancing}}`.
 */
const directivesFromCode = [
  'client_body_temp_path',
  'proxy_temp_path',
  'fastcgi_temp_path',
  'uwsgi_temp_path',
  'scgi_temp_path',
  'proxy_pass',
  'grpc_pass',
  'return',
  'hash',
  'resolver',
  'least_conn',
];

/**
 * Directives the annotation modules (src/annotations/) will emit. The lead extends this list with each
 * module; a name here is allowed anywhere, so keep it to what a module really writes.
 */
export const ANNOTATION_DIRECTIVES: readonly string[] = [
  'proxy_set_header',
  'grpc_set_header',
  'proxy_intercept_errors',
  'grpc_intercept_errors',
  'proxy_connect_timeout',
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_buffering',
  'proxy_request_buffering',
  'proxy_buffer_size',
  'proxy_buffers',
  'proxy_busy_buffers_size',
  'proxy_max_temp_file_size',
  'proxy_next_upstream',
  'proxy_next_upstream_tries',
  'proxy_next_upstream_timeout',
  'proxy_http_version',
  'proxy_redirect',
  'proxy_ssl_server_name',
  'proxy_ssl_name',
  'proxy_ssl_verify',
  'client_max_body_size',
  'client_body_buffer_size',
  'rewrite',
  'add_header',
  'allow',
  'deny',
  'satisfy',
  'auth_basic',
  'auth_basic_user_file',
  'auth_request',
  'auth_request_set',
  'proxy_pass_request_body',
  'proxy_method',
  'limit_req',
  'limit_req_zone',
  'limit_conn',
  'limit_conn_zone',
  'limit_rate',
  'geo',
  'mirror',
  'internal',
  'if',
  'set',
  'location',
  'error_page',
  // canary: the weight split (its entries are data, like a map's).
  'split_clients',
  // snippets: more_set_headers becomes proxy_hide_header + add_header.
  'proxy_hide_header',
];

/** Directive names in the templates' own text (the first word of each statement), from templates/*.hbs. */
function directivesInTemplates(): string[] {
  const dir = fileURLToPath(new URL('../../../templates/', import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    const text = readFileSync(`${dir}${file}`, 'utf8')
      // A placeholder alone on its line stands for whole lines the view model formats from directive data
      // (covered by the code's and the annotations' lists below); block helpers and partials are Handlebars,
      // not nginx; a value placeholder becomes one plain word.
      .replace(/^[ \t]*\{\{[^}#/>^]*\}\}[ \t]*$/gm, '')
      .replace(/\{\{[#/>^][^}]*\}\}|\{\{else\}\}/g, '')
      .replace(/\{\{[^}]*\}\}/g, 'PLACEHOLDER');
    const parsed = parseNginxConfig(text);
    for (const { statement, parents } of walkStatements(parsed.statements)) {
      if (parents.some((p) => dataBlocks.has(p))) continue;
      if (statement.name.text !== 'PLACEHOLDER') names.add(statement.name.text);
    }
  }
  return [...names];
}

/**
 * Every directive name Portico may put into nginx.conf: the templates' own, those the view model writes,
 * and those of the annotation modules. The injection tests hold any other name to be an injection.
 */
export const ALLOWED_DIRECTIVES: ReadonlySet<string> = new Set([...directivesInTemplates(), ...directivesFromCode, ...ANNOTATION_DIRECTIVES]);

/** What an injection check found: where, and why. */
export interface InjectionFinding {
  readonly line: number;
  readonly reason: string;
}

/**
 * Looks for injected nginx syntax in a rendered config: a directive name outside ALLOWED_DIRECTIVES, a
 * data-block entry that is not `key value;`, or any `marker` outside a quoted argument (as a directive
 * name, a bare word, or in a comment). Empty when the config is clean.
 */
export function findInjections(config: string, markers: readonly string[] = []): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  let parsed: ParsedNginxConfig;
  try {
    parsed = parseNginxConfig(config);
  } catch (error) {
    return [{ line: 0, reason: `the config does not parse: ${(error as Error).message}` }];
  }
  const hasMarker = (text: string): string | undefined => markers.find((m) => m !== '' && text.includes(m));
  for (const comment of parsed.comments) {
    const marker = hasMarker(comment);
    if (marker !== undefined) findings.push({ line: 0, reason: `marker ${JSON.stringify(marker)} in a comment: #${comment}` });
  }
  for (const { statement, parents } of walkStatements(parsed.statements)) {
    const name = statement.name.text;
    const inData = parents.some((p) => dataBlocks.has(p));
    if (inData) {
      if (statement.block !== undefined || statement.args.length > 1) {
        findings.push({ line: statement.line, reason: `a ${parents.at(-1) ?? ''} entry that is not "key value;": ${name}` });
      }
    } else if (!ALLOWED_DIRECTIVES.has(name)) {
      findings.push({ line: statement.line, reason: `directive ${JSON.stringify(name)} is not one Portico emits` });
    }
    for (const token of [statement.name, ...statement.args]) {
      if (token.isQuoted) continue;
      const marker = hasMarker(token.text);
      if (marker !== undefined) findings.push({ line: statement.line, reason: `marker ${JSON.stringify(marker)} outside quotes: ${token.text}` });
    }
  }
  return findings;
}

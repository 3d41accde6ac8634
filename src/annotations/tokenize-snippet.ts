// A small, strict nginx tokenizer for snippet annotations: statements, quoted strings and balanced blocks,
// read as nginx's ngx_conf_parse reads them, refusing everything a snippet has no honest use for (comments,
// non-ASCII, quotes or backslashes inside bare words, `${…}` outside quotes). Its output is data: a snippet
// reaches nginx.conf only as directives re-rendered through the quoting helpers, never as the text written.

/** One statement: `name args… ;` or `name args… { block }`; `args` are unquoted and unescaped. */
export interface SnippetStatement {
  readonly name: string;
  readonly args: readonly string[];
  readonly block: readonly SnippetStatement[] | undefined;
}

export type TokenizedSnippet = { readonly statements: readonly SnippetStatement[] } | { readonly problem: string };

const MAX_STATEMENTS = 64;
const MAX_DEPTH = 4;
const MAX_TOKEN_LENGTH = 4096;

/** Characters a bare word may hold: printable ASCII but quotes, backslash, `;`, `{`, `}` and `#`. */
const bareCharacter = /[!$%&()*+,\-./0-9:<=>?@A-Z[\]^_`a-z|~]/;
const blank = /[ \t\r\n]/;

/** The statements of `text`, or why it is not a snippet Portico reads. */
export function tokenizeSnippet(text: string): TokenizedSnippet {
  const bad = /[^\t\r\n\u0020-\u007e]/.exec(text);
  if (bad !== null) return { problem: `contains ${describe(bad[0])}; a snippet is printable ASCII` };
  let i = 0;
  let count = 0;

  type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: ';' | '{' | '}' } | { readonly kind: 'end' };
  const next = (): Token | string => {
    while (i < text.length && blank.test(text[i] ?? '')) i++;
    if (i >= text.length) return { kind: 'end' };
    const c = text[i] ?? '';
    if (c === '#') return 'contains a comment ("#" outside quotes), which snippets may not';
    if (c === ';' || c === '{' || c === '}') {
      i++;
      return { kind: c };
    }
    if (c === '"' || c === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) return 'has a quoted string that never ends';
        const d = text[i] ?? '';
        if (d === '\\') {
          const escaped = text[i + 1] ?? '';
          // nginx unescapes \" \' \\ \t \r \n and keeps any other backslash as written.
          const known: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' };
          value += known[escaped] ?? `\\${escaped}`;
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        value += d;
      }
      const after = text[i];
      if (after !== undefined && !blank.test(after) && after !== ';' && after !== '{' && after !== '}') return `has "${after}" right after a quoted string`;
      return value.length > MAX_TOKEN_LENGTH ? `has a value longer than ${MAX_TOKEN_LENGTH} characters` : { kind: 'word', text: value };
    }
    const start = i;
    while (i < text.length && bareCharacter.test(text[i] ?? '')) i++;
    const word = text.slice(start, i);
    const stop = text[i];
    if (stop === '"' || stop === "'" || stop === '\\') return `has ${describe(stop)} inside the word ${JSON.stringify(word)}; quote the whole value`;
    if (stop === '{' && word.endsWith('$')) return 'uses ${…} outside quotes; write it inside a quoted string';
    if (stop === '#') return 'contains a comment ("#" outside quotes), which snippets may not';
    return word.length > MAX_TOKEN_LENGTH ? `has a value longer than ${MAX_TOKEN_LENGTH} characters` : { kind: 'word', text: word };
  };

  const block = (depth: number): SnippetStatement[] | string => {
    const statements: SnippetStatement[] = [];
    let words: string[] = [];
    for (;;) {
      const token = next();
      if (typeof token === 'string') return token;
      if (token.kind === 'word') {
        words.push(token.text);
        continue;
      }
      if (token.kind === 'end' || token.kind === '}') {
        if (words.length > 0) return `ends without ";" after ${JSON.stringify(words[0])}`;
        if ((token.kind === 'end') !== (depth === 0)) return token.kind === 'end' ? 'has a block that is never closed' : 'has a "}" that closes nothing';
        return statements;
      }
      const [name, ...args] = words;
      if (name === undefined) return `has a "${token.kind}" with no directive before it`;
      if (++count > MAX_STATEMENTS) return `has more than ${MAX_STATEMENTS} statements`;
      let inner: SnippetStatement[] | undefined;
      if (token.kind === '{') {
        if (depth + 1 > MAX_DEPTH) return `nests blocks deeper than ${MAX_DEPTH}`;
        const parsed = block(depth + 1);
        if (typeof parsed === 'string') return parsed;
        inner = parsed;
      }
      statements.push({ name, args, block: inner });
      words = [];
    }
  };

  const statements = block(0);
  if (typeof statements === 'string') return { problem: statements };
  return statements.length === 0 ? { problem: 'has no directive' } : { statements };
}

function describe(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code > 0x7e) return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${c}"`;
}

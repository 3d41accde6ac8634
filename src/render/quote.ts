// The one way a value becomes an nginx token. Every value that reaches nginx.conf, user-written or not,
// goes through here (the builder has already validated user values; this is the second wall).

/** Characters nginx cannot carry safely inside a quoted token: control characters and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f]/;

/** Everything that needs a closer look; most values (hosts, paths, file names) contain none of it. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const special = /[\u0000-\u001f\u007f"\\$]/;

export class UnquotableValueError extends Error {}

/**
 * A double-quoted nginx string: `\` and `"` escaped, so `;`, `{`, `}`, `#` and spaces stay literal.
 * `$` is refused: in directives that take variables nginx would expand it, and no literal needs one.
 */
export function quote(value: string): string {
  // One scan decides the common case; the checks below then run only on values that need them.
  if (!special.test(value)) return `"${value}"`;
  if (value.includes('$')) throw new UnquotableValueError(`refusing to quote a value containing "$": ${JSON.stringify(value)}`);
  return quoteText(value);
}

/** Like quote, but for a regular expression (where `$` is an anchor, never a variable). */
export function quoteRegex(pattern: string): string {
  return quoteText(pattern);
}

function quoteText(value: string): string {
  if (unsafe.test(value)) throw new UnquotableValueError(`refusing to quote a value containing a control character: ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A double-quoted string in which nginx expands variables: each `$` must start a regex capture (`$1`) or a
 * variable named in `variables` (`$host`, `${host}`); anything else is refused, so a user value can refer
 * to nothing the code did not allow.
 */
export function quoteExpansion(value: string, variables: readonly string[]): string {
  for (const match of value.matchAll(/\$(\{)?([A-Za-z0-9_]*)(\})?/g)) {
    const [, open, name = '', close] = match;
    const isCapture = /^[0-9]$/.test(name) && open === undefined;
    const isAllowed = variables.includes(name) && (open === undefined) === (close === undefined);
    if (!isCapture && !isAllowed) throw new UnquotableValueError(`refusing to quote a reference to $${name === '' ? '' : name}: ${JSON.stringify(value)}`);
  }
  return quoteText(value);
}

/** Words a map reads as its own parameters rather than as a key. */
const mapKeywords = new Set(['default', 'hostnames', 'include', 'volatile']);

/**
 * A map key matched as a string: quoted, and escaped with a leading `\\` when nginx would otherwise read it
 * as one of the map's keywords (`include "x"` would include a file) or as a regex (`~…`); nginx drops
 * that backslash before matching.
 */
export function quoteMapKey(key: string): string {
  const needsEscape = mapKeywords.has(key) || key.startsWith('~') || key.startsWith('\\');
  return quote(needsEscape ? `\\${key}` : key);
}

const keywordPattern = /^[A-Za-z0-9_.:=/@,+*~^!-]+$/;
const variablePattern = /^[a-z_][a-z0-9_]*$/;

/** A bare token chosen by code (`on`, `301`, `zone=x`): checked, never quoted. */
export function bareKeyword(value: string): string {
  if (!keywordPattern.test(value)) throw new UnquotableValueError(`not a bare nginx keyword: ${JSON.stringify(value)}`);
  return value;
}

/** `$name` for a variable chosen by code. */
export function variableReference(name: string): string {
  if (!variablePattern.test(name)) throw new UnquotableValueError(`not an nginx variable name: ${JSON.stringify(name)}`);
  return `$${name}`;
}

// Unit tests for quote and quoteRegex: escaping, refusals, and a seeded random sweep that every output is one nginx token.
import { expect } from 'chai';
import { UnquotableValueError, quote, quoteRegex } from '../../../src/render/quote.js';
import { seededRandom } from '../../support/seeded-random.js';


/** Characters that matter to nginx's tokenizer, weighted against plain text and arbitrary code units. */
const interesting = ['\\', '"', "'", '$', ';', '{', '}', '#', ' ', '\t', '\n', '\r', '\u0000', '\u007f', '\u001b', 'a', 'Z', '/', 'é', '\u2028', '😀'];

function randomString(random: () => number): string {
  const length = Math.floor(random() * 24);
  let value = '';
  for (let i = 0; i < length; i++) {
    const pick = random();
    if (pick < 0.7) value += interesting[Math.floor(random() * interesting.length)] ?? '';
    else if (pick < 0.9) value += String.fromCharCode(0x20 + Math.floor(random() * 0x5f));
    else value += String.fromCharCode(Math.floor(random() * 0x10000));
  }
  return value;
}

/** Backslashes immediately before index `i` of `text`. */
function backslashesBefore(text: string, i: number): number {
  let count = 0;
  while (i - 1 - count >= 0 && text[i - 1 - count] === '\\') count++;
  return count;
}

/** Why `token` is not a single double-quoted nginx token, or undefined when it is. */
function tokenProblem(token: string): string | undefined {
  if (token.length < 2 || !token.startsWith('"') || !token.endsWith('"')) return 'does not start and end with "';
  const last = token.length - 1;
  if (backslashesBefore(token, last) % 2 !== 0) return 'the closing " is escaped';
  for (let i = 1; i < last; i++) {
    if (token[i] === '"' && backslashesBefore(token, i) % 2 === 0) return `unescaped " at ${i}`;
  }
  return undefined;
}

/** What nginx reads back from a quoted token: `\x` → `x` for `\` and `"`. */
function unquote(token: string): string {
  return token.slice(1, -1).replace(/\\([\\"])/g, '$1');
}

describe('quote', () => {
  it('wraps a plain value in double quotes', () => {
    expect(quote('example.com')).to.equal('"example.com"');
    expect(quote('')).to.equal('""');
  });

  it('escapes backslashes and double quotes', () => {
    expect(quote('a"b')).to.equal('"a\\"b"');
    expect(quote('a\\b')).to.equal('"a\\\\b"');
    expect(quote('\\"')).to.equal('"\\\\\\""');
  });

  it('escapes a trailing backslash so it cannot swallow the closing quote', () => {
    expect(quote('a\\')).to.equal('"a\\\\"');
  });

  it('keeps ; { } # single quotes and spaces literal inside the quotes', () => {
    expect(quote("a;b{c}d#e'f g")).to.equal("\"a;b{c}d#e'f g\"");
  });

  it('refuses a value containing "$"', () => {
    expect(() => quote('/$host')).to.throw(UnquotableValueError, '$');
    expect(() => quote('${x}')).to.throw(UnquotableValueError);
  });

  for (const [label, c] of [
    ['LF', '\n'],
    ['CR', '\r'],
    ['tab', '\t'],
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
  ] as const) {
    it(`refuses a value containing ${label}`, () => {
      expect(() => quote(`a${c}b`)).to.throw(UnquotableValueError, 'control character');
    });
  }

  it('passes non-ASCII text through unchanged', () => {
    expect(quote('café 😀')).to.equal('"café 😀"');
  });
});

describe('quoteRegex', () => {
  it('allows "$" as an anchor', () => {
    expect(quoteRegex('~^[^.]+\\.example\\.com$')).to.equal('"~^[^.]+\\\\.example\\\\.com$"');
  });

  it('still refuses control characters', () => {
    expect(() => quoteRegex('a$\n')).to.throw(UnquotableValueError);
  });

  it('escapes double quotes', () => {
    expect(quoteRegex('a"$')).to.equal('"a\\"$"');
  });
});

describe('quote over random strings', () => {
  const seed = 0x5eed;
  const runs = 5000;

  it(`either refuses or yields one nginx token that reads back as the input (seed ${seed}, ${runs} strings)`, () => {
    const random = seededRandom(seed);
    let quoted = 0;
    let refused = 0;
    for (let run = 0; run < runs; run++) {
      const value = randomString(random);
      const shouldRefuse = value.includes('$') || [...value].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f');
      let token: string;
      try {
        token = quote(value);
      } catch (error) {
        expect(error, JSON.stringify(value)).to.be.instanceOf(UnquotableValueError);
        expect(shouldRefuse, `refused ${JSON.stringify(value)}`).to.equal(true);
        refused++;
        continue;
      }
      expect(shouldRefuse, `accepted ${JSON.stringify(value)}`).to.equal(false);
      expect(tokenProblem(token), `${JSON.stringify(value)} → ${token}`).to.equal(undefined);
      expect(unquote(token), JSON.stringify(value)).to.equal(value);
      quoted++;
    }
    // The sweep is only worth something if both branches were exercised.
    expect(quoted).to.be.greaterThan(runs / 10);
    expect(refused).to.be.greaterThan(runs / 10);
  });

  it('quoteRegex outputs are single tokens too', () => {
    const random = seededRandom(seed + 1);
    for (let run = 0; run < runs; run++) {
      const value = randomString(random);
      let token: string;
      try {
        token = quoteRegex(value);
      } catch {
        continue;
      }
      expect(tokenProblem(token), `${JSON.stringify(value)} → ${token}`).to.equal(undefined);
      expect(unquote(token)).to.equal(value);
    }
  });
});

describe('tokenProblem (the sweep oracle)', () => {
  it('catches an unescaped quote, an escaped closing quote and a missing quote', () => {
    expect(tokenProblem('"a"b"')).to.be.a('string');
    expect(tokenProblem('"a\\"')).to.be.a('string');
    expect(tokenProblem('a"')).to.be.a('string');
    expect(tokenProblem('"a\\\\"')).to.equal(undefined);
  });
});

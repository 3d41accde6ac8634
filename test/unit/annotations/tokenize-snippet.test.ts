// Unit tests for the snippet tokenizer: what nginx would read, and the refusals that keep a snippet to plain
// statements (comments, unbalanced blocks, stray quotes, non-ASCII, `${…}` outside quotes).
import { expect } from 'chai';
import { tokenizeSnippet } from '../../../src/annotations/tokenize-snippet.js';

describe('tokenizeSnippet', () => {
  it('reads statements, quoted strings with nginx escapes, and nested blocks', () => {
    const result = tokenizeSnippet('add_header X-A "a \\"b\\" c" always;\n\tmore_set_headers \'X-B: d\';\nlocation /x { return 204; }\n');
    expect(result).to.deep.equal({
      statements: [
        { name: 'add_header', args: ['X-A', 'a "b" c', 'always'], block: undefined },
        { name: 'more_set_headers', args: ['X-B: d'], block: undefined },
        { name: 'location', args: ['/x'], block: [{ name: 'return', args: ['204'], block: undefined }] },
      ],
    });
  });

  it('keeps a ; { } or # inside quotes as text', () => {
    expect(tokenizeSnippet('add_header X "a; } { # b";')).to.deep.equal({ statements: [{ name: 'add_header', args: ['X', 'a; } { # b'], block: undefined }] });
  });

  const refusals: [string, string][] = [
    ['add_header X y; # note', 'comment'],
    ['add_header X y;#note', 'comment'],
    ['add_header X y#z;', 'comment'],
    ['add_header X y', 'without ";"'],
    ['add_header X y; }', 'closes nothing'],
    ['location / { add_header X y;', 'never closed'],
    ['add_header X "y;', 'never ends'],
    ['add_header X "y"z;', 'right after a quoted string'],
    ['add_header X a"b";', 'inside the word'],
    ['add_header X a\\;b;', 'inside the word'],
    ['add_header X ${host};', '${…} outside quotes'],
    ['; add_header X y;', 'no directive before it'],
    ['add_header X é;', 'U+00E9'],
    ['add_header X \u0000;', 'U+0000'],
    ['add_header X \u2028;', 'U+2028'],
    ['', 'no directive'],
    ['   \n', 'no directive'],
    ['a { b { c { d { e { f; } } } } }', 'deeper than'],
    [Array.from({ length: 65 }, () => 'add_header X y;').join('\n'), 'more than 64'],
    [`add_header X "${'a'.repeat(5000)}";`, 'longer than'],
  ];
  for (const [snippet, reason] of refusals) {
    it(`refuses ${JSON.stringify(snippet.slice(0, 40))}: ${reason}`, () => {
      const result = tokenizeSnippet(snippet);
      expect('problem' in result ? result.problem : 'accepted').to.include(reason);
    });
  }
});

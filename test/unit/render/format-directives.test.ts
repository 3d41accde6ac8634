// Unit tests for formatDirectives' data blocks (map, split_clients): keys are quoted and escaped so nginx reads
// each entry as data, never as a map keyword, an include or a regex nobody asked for; wrong key kinds throw.
import { expect } from 'chai';
import { expansion, literal, mapBlock, splitClientsBlock, variable, type DataKey } from '../../../src/model/directive.js';
import { formatDirectives } from '../../../src/render/format-directives.js';
import { UnquotableValueError } from '../../../src/render/quote.js';
import { parseNginxConfig } from '../../support/nginx-config-tokens.js';

const entry = (key: DataKey, value = literal('v')) => ({ key, value });

describe('formatDirectives data blocks', () => {
  it('writes a map with default, string and regex keys, each value through the quoting helpers', () => {
    const lines = formatDirectives(
      [
        mapBlock(variable('http_x_a'), 'portico_x', [
          entry({ kind: 'default' }, variable('portico_y')),
          entry({ kind: 'string', text: 'plain' }),
          entry({ kind: 'regex', pattern: '^a"b\\.c$', caseInsensitive: false }),
          entry({ kind: 'regex', pattern: '^x', caseInsensitive: true }),
        ]),
      ],
      1,
    );
    expect(lines).to.deep.equal([
      '    map $http_x_a $portico_x {',
      '        default $portico_y;',
      '        "plain" "v";',
      '        "~^a\\"b\\\\.c$" "v";',
      '        "~*^x" "v";',
      '    }',
    ]);
  });

  it('escapes string keys nginx would read as map keywords, an include, or a regex', () => {
    const keys = ['default', 'include', 'hostnames', 'volatile', '~evil', '\\x', ''];
    const lines = formatDirectives([mapBlock(variable('a'), 'b', keys.map((text) => entry({ kind: 'string', text })))], 0);
    expect(lines.slice(1, -1)).to.deep.equal(['    "\\\\default" "v";', '    "\\\\include" "v";', '    "\\\\hostnames" "v";', '    "\\\\volatile" "v";', '    "\\\\~evil" "v";', '    "\\\\\\\\x" "v";', '    "" "v";']);
    // Each entry stays one `key value;` statement.
    const parsed = parseNginxConfig(lines.join('\n'));
    expect(parsed.statements[0]?.block?.map((s) => [s.name.text, s.args.length])).to.deep.equal(keys.map((k) => [k === '' ? '' : `\\${k}`, 1]));
  });

  it('refuses `$` in a string key or a literal value, and control characters anywhere', () => {
    const bad = [
      mapBlock(variable('a'), 'b', [entry({ kind: 'string', text: '$host' })]),
      mapBlock(variable('a'), 'b', [entry({ kind: 'default' }, literal('$host'))]),
      mapBlock(variable('a'), 'b', [entry({ kind: 'regex', pattern: 'x\ny', caseInsensitive: false })]),
    ];
    for (const d of bad) expect(() => formatDirectives([d], 0)).to.throw(UnquotableValueError);
  });

  it('writes split_clients shares in hundredths of a percent, and refuses shares out of range', () => {
    const lines = formatDirectives([splitClientsBlock(expansion('${request_id}', ['request_id']), 'w', [entry({ kind: 'share', hundredths: 3333 }), entry({ kind: 'rest' })])], 0);
    expect(lines).to.deep.equal(['split_clients "${request_id}" $w {', '    33.33% "v";', '    * "v";', '}']);
    for (const hundredths of [0, 10001, 1.5, Number.NaN]) {
      expect(() => formatDirectives([splitClientsBlock(literal('x'), 'w', [entry({ kind: 'share', hundredths })])], 0)).to.throw(UnquotableValueError);
    }
  });

  it('refuses a key kind the block does not have, and entries on anything but a data block', () => {
    expect(() => formatDirectives([mapBlock(variable('a'), 'b', [entry({ kind: 'rest' })])], 0)).to.throw(UnquotableValueError);
    expect(() => formatDirectives([splitClientsBlock(literal('a'), 'b', [entry({ kind: 'default' })])], 0)).to.throw(UnquotableValueError);
    expect(() => formatDirectives([{ name: 'location', args: [literal('/')], entries: [entry({ kind: 'default' })] }], 0)).to.throw(UnquotableValueError);
  });
});

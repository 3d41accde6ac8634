// The injection detector itself: it must see what it is meant to see, or the CVE replays and the property
// prove nothing.
import { expect } from 'chai';
import { snapshotOf } from '../../src/model/snapshot.js';
import { compile } from '../../src/pipeline/compile.js';
import { loadTemplates } from '../../src/runtime/load-templates.js';
import { loopbackCompileOptions } from '../support/controller-fixture.js';
import { ALLOWED_DIRECTIVES, findInjections, parseNginxConfig } from '../support/nginx-config-tokens.js';
import { endpoints, ingress, service } from '../support/objects.js';

describe('nginx config tokenizer and injection finder', () => {
  it('reads statements, quoted strings with escapes, comments and blocks as nginx does', () => {
    const parsed = parseNginxConfig('# top\nhttp {\n  log_format x \'a "b" $c\';\n  location "/a\\"b" { return 404; } # end\n}\n');
    expect(parsed.comments).to.deep.equal([' top', ' end']);
    const http = parsed.statements[0];
    expect(http?.name.text).to.equal('http');
    expect(http?.block?.[0]?.args.map((a) => a.text)).to.deep.equal(['x', 'a "b" $c']);
    expect(http?.block?.[1]?.args[0]).to.deep.equal({ text: '/a"b', isQuoted: true });
    expect(http?.block?.[1]?.block?.[0]?.name.text).to.equal('return');
  });

  it('derives the allowed directives from the templates, with those the code and annotation modules add', () => {
    for (const name of ['worker_processes', 'http', 'server', 'location', 'listen', 'server_name', 'upstream', 'map', 'proxy_set_header', 'proxy_pass', 'return']) {
      expect(ALLOWED_DIRECTIVES.has(name), name).to.equal(true);
    }
    for (const name of ['include', 'load_module', 'ssl_engine', 'alias', 'root', 'content_by_lua_block', 'pwnmarker']) {
      expect(ALLOWED_DIRECTIVES.has(name), name).to.equal(false);
    }
  });

  it('finds nothing in a rendered config, and finds each kind of injection in a tampered one', async () => {
    const objects = [
      ingress('web', { rules: [{ host: 'web.test', paths: [{ path: '/pwnmarker', service: 'web' }] }] }),
      service('web'),
      endpoints('web', { port: 8080, ready: ['127.0.0.1'] }),
    ];
    const config = compile(snapshotOf(objects), await loadTemplates(), loopbackCompileOptions('/tmp/x', 8080, 8443)).rendered.config;
    // The marker is in the config, inside a quoted location path: that is not an injection.
    expect(config).to.include('"/pwnmarker"');
    expect(findInjections(config, ['pwnmarker'])).to.deep.equal([]);

    const tamper = (from: string, to: string): string => {
      expect(config, from).to.include(from);
      return config.replace(from, to);
    };
    const cases: [string, string][] = [
      [tamper('"/pwnmarker"', '/x { alias /etc/; } location /y'), 'directive "alias"'],
      [tamper('"/pwnmarker"', '"/x"; pwnmarker on; location "/y"'), 'not one Portico emits'],
      [tamper('"/pwnmarker"', '/pwnmarker'), 'outside quotes'],
      [tamper('server_tokens off;', 'server_tokens off; # pwnmarker'), 'in a comment'],
      [tamper('default upgrade;', 'default upgrade extra;'), 'not "key value;"'],
      [tamper('server_tokens off;', 'server_tokens off; include /etc/passwd;'), 'directive "include"'],
      [tamper('server_tokens off;', 'server_tokens off; }'), 'does not parse'],
    ];
    for (const [tampered, reason] of cases) {
      const found = findInjections(tampered, ['pwnmarker']);
      expect(found.map((f) => f.reason).join('\n'), reason).to.include(reason);
    }
  });
});

// Unit tests for configuration-snippet and server-snippet: refused unless the operator allows snippets, each
// directive checked against the allow-list with its arguments validated, more_set_headers translated, `*`
// with the critical risk level, and nothing a snippet writes ever reaching nginx.conf as written.
import { expect } from 'chai';
import { buildModel } from '../../../src/build/build-model.js';
import type { KubeObject } from '../../../src/model/kube.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { compile } from '../../../src/pipeline/compile.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { goldenOptions } from '../../support/golden-options.js';
import { findInjections, parseNginxConfig, walkStatements } from '../../support/nginx-config-tokens.js';
import { configMap, endpoints, ingress, service } from '../../support/objects.js';

const key = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;
const enabled = { 'allow-snippet-annotations': 'true' };

function objects(annotations: Record<string, string>, settings: Record<string, string> | null = enabled): KubeObject[] {
  return [
    ingress('site', { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [key(k), v])), rules: [{ host: 'site.test', paths: [{ path: '/', service: 'web' }] }] }),
    ingress('other', { rules: [{ host: 'other.test', paths: [{ path: '/', service: 'web' }] }] }),
    service('web'),
    endpoints('web', { port: 80, ready: ['10.0.0.1'] }),
    ...(settings === null ? [] : [configMap(settings)]),
  ];
}

function diagnosticsOf(input: readonly KubeObject[]): string[] {
  return buildModel(snapshotOf(input), goldenOptions).diagnostics.filter((d) => d.object.kind === 'Ingress').map((d) => `${d.code} ${d.object.name} ${d.message}`);
}

async function render(input: readonly KubeObject[]): Promise<string> {
  return compile(snapshotOf(input), await loadTemplates(), goldenOptions).rendered.config;
}

/** `name args` of every statement inside the server of `host`, with the block it sits in. */
async function serverStatements(input: readonly KubeObject[], host: string): Promise<string[]> {
  const config = await render(input);
  const found: string[] = [];
  for (const { statement } of walkStatements(parseNginxConfig(config).statements)) {
    if (statement.name.text !== 'server' || !statement.block?.some((s) => s.name.text === 'server_name' && s.args[0]?.text === host)) continue;
    for (const { statement: inner, parents } of walkStatements(statement.block)) {
      if (['add_header', 'proxy_hide_header', 'expires', 'proxy_set_header', 'return', 'location', 'limit_rate'].includes(inner.name.text)) {
        found.push(`${parents.join('/')}${parents.length > 0 ? ' ' : ''}${inner.name.text} ${inner.args.map((a) => a.text).join(' ')}`.trim());
      }
    }
  }
  return found;
}

describe('snippet annotations', () => {
  it('adds a configuration-snippet to each location and a server-snippet to the server, as data', async () => {
    const input = objects({
      'configuration-snippet': 'add_header X-Frame-Options "DENY" always;\nmore_set_headers "X-Trace: $request_id";',
      'server-snippet': "add_header Strict-Transport-Security 'max-age=31536000';",
    });
    expect(diagnosticsOf(input)).to.deep.equal([]);
    expect(await serverStatements(input, 'site.test')).to.deep.equal([
      'add_header Strict-Transport-Security max-age=31536000',
      'location /',
      // The location adds headers, so it repeats the server's (nginx would not inherit them).
      'location add_header Strict-Transport-Security max-age=31536000',
      'location add_header X-Frame-Options DENY always',
      'location proxy_hide_header X-Trace',
      'location add_header X-Trace $request_id always',
    ]);
    // more_set_headers replaces the backend's header: it is hidden first.
    expect(await render(input)).to.include('proxy_hide_header "X-Trace";\n            add_header "X-Trace" "$request_id" always;');
    expect(await serverStatements(input, 'other.test')).to.deep.equal(['location /']);
    expect(findInjections(await render(input))).to.deep.equal([]);
  });

  it('rejects the Ingress (ANNOTATION_REFUSED) when snippets are off, and writes nothing of the snippet', async () => {
    for (const settings of [null, { 'allow-snippet-annotations': 'false' }]) {
      const input = objects({ 'configuration-snippet': 'add_header X-Leak "snippetmarker";', 'server-snippet': 'add_header X-Leak2 "snippetmarker";' }, settings);
      expect(diagnosticsOf(input)).to.deep.equal([
        'ANNOTATION_REFUSED site rejected: snippets are disabled: the controller ConfigMap does not say allow-snippet-annotations: "true"',
        'ANNOTATION_REFUSED site rejected: snippets are disabled: the controller ConfigMap does not say allow-snippet-annotations: "true"',
      ]);
      const config = await render(input);
      expect(config).not.to.include('snippetmarker');
      expect(config).not.to.include('site.test');
    }
  });

  const forbidden: [string, string][] = [
    ['proxy_pass http://evil.test;', 'not on the operator\'s allow-list'],
    ['content_by_lua_block { ngx.say(1); }', 'never allowed'],
    ['content_by_lua_block { ngx.say("x") }', 'inside the word'],
    ['lua_need_request_body on;', 'never allowed'],
    ['include /etc/passwd;', 'never allowed'],
    ['root /;', 'not on the operator\'s allow-list'],
    ['alias /var/run/secrets/;', 'not on the operator\'s allow-list'],
    ['add_header X y; } location /x { alias /; ', 'closes nothing'],
    ['add_header X "y"; proxy_pass http://x;', 'not on the operator\'s allow-list'],
    ['add_header X y;; add_header Z w;', 'no directive before it'],
    ['add_header X y; # } location /x { alias /; }', 'comment'],
    ['add_header X "$service_account_token";', 'uses $service_account_token'],
    ['add_header X "${http_authorization}";', 'uses $http_authorization'],
    ['add_header X $cookie_session;', 'uses $cookie_session'],
    ['add_header X y z;', 'takes "always"'],
    ['add_header "X Y" z;', 'not a header name'],
    ['add_header X;', 'takes a header name'],
    ['add_header X "a\\nb";', 'printable ASCII'],
    ['more_set_headers -s 404 "X: y";', 'option'],
    ['more_set_headers "X:";', 'clears X'],
    ['more_set_headers "X Y: z";', 'not a header name'],
    ['add_header X y { return 200; }', 'opens a block'],
  ];
  for (const [snippet, reason] of forbidden) {
    it(`refuses ${JSON.stringify(snippet)} (${reason}), naming the key, and serves the other hosts`, async () => {
      for (const name of ['configuration-snippet', 'server-snippet']) {
        const input = objects({ [name]: snippet });
        const found = diagnosticsOf(input);
        expect(found, name).to.have.length(1);
        expect(found[0], name).to.include(reason);
        expect(found[0]).to.match(/^(INVALID_ANNOTATION|ANNOTATION_REFUSED) site /);
        const config = await render(input);
        expect(config).not.to.include('site.test');
        expect(config).to.include('other.test');
        expect(findInjections(config)).to.deep.equal([]);
      }
    });
  }

  it('keeps a quote escaped inside a value as text: the value is re-quoted, never pasted', async () => {
    const input = objects({ 'configuration-snippet': 'add_header X-A "x\\"; snippetmarker on; #";' });
    expect(diagnosticsOf(input)).to.deep.equal([]);
    const config = await render(input);
    expect(config).to.include('add_header "X-A" "x\\"; snippetmarker on; #";');
    expect(findInjections(config, ['snippetmarker'])).to.deep.equal([]);
  });

  it('allows other directives the operator lists, with arguments but no variables', async () => {
    const settings = { ...enabled, 'snippet-allowed-directives': 'add_header,expires,limit_rate' };
    expect(await serverStatements(objects({ 'configuration-snippet': 'expires 1h;\nlimit_rate 10k;' }, settings), 'site.test')).to.deep.equal(['location /', 'location expires 1h', 'location limit_rate 10k']);
    expect(diagnosticsOf(objects({ 'configuration-snippet': 'expires $arg_x;' }, settings))[0]).to.include('uses a variable');
    expect(diagnosticsOf(objects({ 'configuration-snippet': 'more_set_headers "X: y";' }, settings))[0]).to.include("not on the operator's allow-list");
  });

  it('with * allows any directive and block (but the never-allowed ones and if), at the critical risk level', async () => {
    const star = { ...enabled, 'snippet-allowed-directives': '*' };
    const snippet = 'location = /health { return 200 "ok $host"; }';
    expect(diagnosticsOf(objects({ 'server-snippet': snippet }, star))).to.deep.equal([
      'ANNOTATION_REFUSED site rejected: this annotation\'s risk level is critical, above what the operator allows (annotations-risk-level: high)',
    ]);
    const critical = { ...star, 'annotations-risk-level': 'Critical' };
    const input = objects({ 'server-snippet': snippet }, critical);
    expect(diagnosticsOf(input)).to.deep.equal([]);
    expect(await serverStatements(input, 'site.test')).to.deep.include.members(['location = /health', 'location return 200 ok $host']);
    for (const bad of ['include /etc/passwd;', 'access_by_lua_block { os.execute("x") }', 'if ($x) { return 403; }', 'return 200 "$";', 'perl_set $x y;']) {
      expect(diagnosticsOf(objects({ 'server-snippet': bad }, critical)), bad).to.have.length(1);
    }
  });

  it('is high risk in allow-list mode: an operator at Medium refuses it', () => {
    expect(diagnosticsOf(objects({ 'configuration-snippet': 'add_header X y;' }, { ...enabled, 'annotations-risk-level': 'Medium' }))[0]).to.include('risk level is high');
  });

  it('repeats the server\'s proxy_hide_header (more_set_headers) in a location that hides headers of its own', async () => {
    const input = objects({ 'configuration-snippet': 'more_set_headers "X-L: l";', 'server-snippet': 'more_set_headers "X-S: s";' });
    expect(await serverStatements(input, 'site.test')).to.deep.equal([
      'proxy_hide_header X-S',
      'add_header X-S s always',
      'location /',
      'location proxy_hide_header X-S',
      'location add_header X-S s always',
      'location proxy_hide_header X-L',
      'location add_header X-L l always',
    ]);
  });

  it('keeps a location header that the server also sets only once, the location winning', async () => {
    const input = objects({ 'configuration-snippet': 'add_header X-Same "location";', 'server-snippet': 'add_header x-same "server";\nadd_header X-Other "server";' });
    expect(await serverStatements(input, 'site.test')).to.deep.equal([
      'add_header x-same server',
      'add_header X-Other server',
      'location /',
      'location add_header X-Other server',
      'location add_header X-Same location',
    ]);
  });
});

// Unit tests for the canary annotations: the grammars (real-world values and hostile ones), how canary routes
// attach to main routes without conflicting, and the http{} selection blocks they render to.
import { expect } from 'chai';
import { buildModel } from '../../../src/build/build-model.js';
import { explainRequest, parseRequestTarget } from '../../../src/explain/explain-request.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { KubeObject } from '../../../src/model/kube.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { compile } from '../../../src/pipeline/compile.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { goldenOptions } from '../../support/golden-options.js';
import { findInjections, parseNginxConfig, walkStatements } from '../../support/nginx-config-tokens.js';
import { endpoints, ingress, service } from '../../support/objects.js';

const key = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;

function backends(): KubeObject[] {
  return [
    service('web', { ports: [{ port: 80, targetPort: 8080 }] }),
    endpoints('web', { port: 8080, ready: ['10.0.0.1'] }),
    service('web-next', { ports: [{ port: 80, targetPort: 8080 }] }),
    endpoints('web-next', { port: 8080, ready: ['10.0.0.2'] }),
  ];
}

function objects(canaryAnnotations: Record<string, string>, extra: KubeObject[] = []): KubeObject[] {
  return [
    ingress('main', { created: '2024-02-01T00:00:00Z', rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web' }, { path: '/api', service: 'web' }] }] }),
    ingress('canary', {
      created: '2024-01-01T00:00:00Z',
      annotations: { [key('canary')]: 'true', ...Object.fromEntries(Object.entries(canaryAnnotations).map(([k, v]) => [key(k), v])) },
      rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web-next' }] }],
    }),
    ...backends(),
    ...extra,
  ];
}

function build(input: readonly KubeObject[]) {
  return buildModel(snapshotOf(input), goldenOptions);
}

async function render(input: readonly KubeObject[]): Promise<string> {
  return compile(snapshotOf(input), await loadTemplates(), goldenOptions).rendered.config;
}

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} ${d.object.name} ${d.field}`);
}

/** The http{}-level data blocks of a config, as `name args: key value | …`. */
function dataBlocks(config: string): string[] {
  const found: string[] = [];
  for (const { statement, parents } of walkStatements(parseNginxConfig(config).statements)) {
    const name = statement.name.text;
    if ((name !== 'map' && name !== 'split_clients') || parents.join('/') !== 'http' || !statement.args.some((a) => a.text.includes('portico_canary'))) continue;
    const entries = (statement.block ?? []).map((e) => `${e.name.text} ${e.args.map((a) => a.text).join(' ')}`);
    found.push(`${name} ${statement.args.map((a) => a.text).join(' ')}: ${entries.join(' | ')}`);
  }
  return found;
}

describe('canary annotations', () => {
  it('attaches a canary route to the main route without a PATH_CONFLICT, the older canary notwithstanding', () => {
    const { model, diagnostics } = build(objects({ 'canary-weight': '30' }));
    expect(codes(diagnostics)).to.deep.equal([]);
    const root = model.servers[0]?.locations.find((l) => l.path === '/');
    expect(root?.route?.ingress.name).to.equal('main');
    expect(root?.action).to.deep.include({ kind: 'proxy', upstream: 'default_web_80' });
    expect(root?.action.kind === 'proxy' ? root.action.canary?.upstream : undefined).to.equal('default_web-next_80');
    // The other path of the main Ingress has no canary.
    expect(model.servers[0]?.locations.find((l) => l.path === '/api/')?.action).to.deep.equal({ kind: 'proxy', upstream: 'default_web_80' });
  });

  it('lets explain name both backends of a canary pair', () => {
    const { model, diagnostics } = build(objects({ 'canary-weight': '30' }));
    const explanation = explainRequest(model, diagnostics, parseRequestTarget('http://app.test/x'));
    expect(explanation.reason).to.equal('proxied to the Service endpoints, or to the canary upstream default_web-next_80 when the canary annotations pick it (header, then cookie, then weight)');
  });

  it('renders header, then cookie, then weight as maps that fall through to each other', async () => {
    const config = await render(objects({ 'canary-by-header': 'X-Canary', 'canary-by-cookie': 'beta_user', 'canary-weight': '25' }));
    const blocks = dataBlocks(config);
    expect(blocks).to.have.length(3);
    const [weight, cookie, header] = blocks;
    expect(weight).to.match(/^split_clients \$\{request_id\} \$(portico_canary_[0-9a-f]{16})_weight: 25\.00% default_web-next_80 \| \* default_web_80$/);
    const id = /portico_canary_[0-9a-f]{16}/.exec(weight ?? '')?.[0] ?? '';
    expect(cookie).to.equal(`map $cookie_beta_user $${id}_cookie: default $${id}_weight | ~^always$ default_web-next_80 | ~^never$ default_web_80`);
    expect(header).to.equal(`map $http_x_canary $${id}: default $${id}_cookie | ~^always$ default_web-next_80 | ~^never$ default_web_80`);
    expect(config).to.include(`proxy_pass "http://$${id}";`);
    expect(findInjections(config)).to.deep.equal([]);
  });

  it('matches canary-by-header-value exactly (escaped as a regex), and prefers it over a pattern', async () => {
    const config = await render(objects({ 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'v2.beta+1', 'canary-by-header-pattern': '^v3' }));
    const [header] = dataBlocks(config);
    expect(header).to.match(/^map \$http_x_canary \$portico_canary_[0-9a-f]{16}: default default_web_80 \| ~\^v2\\\.beta\\\+1\$ default_web-next_80$/);
  });

  it('uses canary-by-header-pattern as an unanchored case-sensitive regex', async () => {
    const [header] = dataBlocks(await render(objects({ 'canary-by-header': 'X-Canary', 'canary-by-header-pattern': '^(beta|gamma)-[0-9]+$' })));
    expect(header).to.match(/: default default_web_80 \| ~\^\(beta\|gamma\)-\[0-9\]\+\$ default_web-next_80$/);
  });

  it('needs no variable when the policy can pick only one backend', () => {
    const actionOf = (annotations: Record<string, string>) => build(objects(annotations)).model.servers[0]?.locations.find((l) => l.path === '/')?.action;
    expect(actionOf({})).to.deep.equal({ kind: 'proxy', upstream: 'default_web_80' });
    expect(actionOf({ 'canary-weight': '0' })).to.deep.equal({ kind: 'proxy', upstream: 'default_web_80' });
    expect(actionOf({ 'canary-weight': '100' })).to.deep.equal({ kind: 'proxy', upstream: 'default_web-next_80' });
    expect(actionOf({ 'canary-weight': '3', 'canary-weight-total': '3' })).to.deep.equal({ kind: 'proxy', upstream: 'default_web-next_80' });
    expect(build(objects({ 'canary-weight': '100' })).model.httpDirectives).to.deep.equal([]);
  });

  it('turns weight out of weight-total into hundredths of a percent', async () => {
    const [weight] = dataBlocks(await render(objects({ 'canary-weight': '1', 'canary-weight-total': '3' })));
    expect(weight).to.match(/: 33\.33% default_web-next_80 \| \* default_web_80$/);
  });

  it('keeps every request on the main backend when the canary Service has no ready endpoint', () => {
    const input = objects({ 'canary-weight': '50' }).filter((o) => !(o.kind === 'Endpoints' && o.metadata.name === 'web-next'));
    const { model, diagnostics } = build(input);
    expect(model.servers[0]?.locations.find((l) => l.path === '/')?.action).to.deep.equal({ kind: 'proxy', upstream: 'default_web_80' });
    expect(codes(diagnostics)).to.deep.equal(['NO_READY_ENDPOINTS canary spec.rules[0].http.paths[0].backend']);
  });

  it('reports a canary without a main route, a second canary, and a canary default backend; none is served', () => {
    const input = [
      ...objects({ 'canary-weight': '10' }),
      ingress('canary-2', {
        created: '2024-03-01T00:00:00Z',
        annotations: { [key('canary')]: 'true', [key('canary-weight')]: '90' },
        rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web-next' }, { path: '/nowhere', service: 'web-next' }] }, { host: 'other.test', paths: [{ path: '/', service: 'web-next' }] }],
        defaultBackend: { service: 'web-next' },
      }),
    ];
    const { model, diagnostics } = build(input);
    expect(codes(diagnostics)).to.deep.equal([
      'UNSUPPORTED_BACKEND canary-2 spec.defaultBackend',
      'CANARY_CONFLICT canary-2 spec.rules[0].http.paths[0]',
      'CANARY_WITHOUT_MAIN canary-2 spec.rules[0].http.paths[1]',
      'CANARY_WITHOUT_MAIN canary-2 spec.rules[1].http.paths[0]',
    ]);
    expect(diagnostics.find((d) => d.code === 'CANARY_CONFLICT')?.message).to.include('Ingress default/canary (older)');
    expect(model.servers.map((s) => s.host)).to.deep.equal(['app.test']);
    expect(model.defaultServer.locations.map((l) => l.action)).to.deep.equal([{ kind: 'status', code: 404 }]);
  });

  it('finds a main route written as a regex (use-regex) from a plain canary path', () => {
    const input = [
      ingress('main', { annotations: { [key('use-regex')]: 'true' }, rules: [{ host: 'app.test', paths: [{ path: '/v1', service: 'web' }] }] }),
      ingress('canary', { annotations: { [key('canary')]: 'true', [key('canary-weight')]: '50' }, rules: [{ host: 'app.test', paths: [{ path: '/v1', service: 'web-next' }] }] }),
      ...backends(),
    ];
    const { model, diagnostics } = build(input);
    expect(codes(diagnostics)).to.deep.equal([]);
    const action = model.servers[0]?.locations.find((l) => l.modifier === '~*')?.action;
    expect(action?.kind === 'proxy' ? action.canary?.upstream : undefined).to.equal('default_web-next_80');
  });

  it('gives each route pair its own variables, stable across builds and object order', async () => {
    const input = objects({ 'canary-weight': '10' });
    input.push(ingress('canary-api', { annotations: { [key('canary')]: 'true', [key('canary-weight')]: '20' }, rules: [{ host: 'app.test', paths: [{ path: '/api', service: 'web-next' }] }] }));
    const first = await render(input);
    expect(await render([...input].reverse())).to.equal(first);
    const names = dataBlocks(first).map((b) => b.split(' ')[2]);
    expect(new Set(names).size).to.equal(2);
  });

  it('ignores the canary-* keys of an Ingress that is not a canary, but still validates them', () => {
    const plain = build([
      ingress('main', { annotations: { [key('canary-weight')]: '50' }, rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web' }] }] }),
      ...backends(),
    ]);
    expect(codes(plain.diagnostics)).to.deep.equal([]);
    expect(plain.model.servers[0]?.locations[0]?.action).to.deep.equal({ kind: 'proxy', upstream: 'default_web_80' });
    const bad = build([ingress('main', { annotations: { [key('canary-weight')]: '50; x' }, rules: [{ host: 'app.test', paths: [{ path: '/', service: 'web' }] }] }), ...backends()]);
    expect(codes(bad.diagnostics)).to.deep.equal(['INVALID_ANNOTATION main metadata.annotations["nginx.ingress.kubernetes.io/canary-weight"]']);
  });

  it('accepts the real-world forms of each key', () => {
    const good: Record<string, string>[] = [
      { canary: 'true', 'canary-by-header': 'X-Canary' },
      { canary: 'true', 'canary-by-header': 'canary', 'canary-by-header-value': 'my value/with:chars@1' },
      { canary: 'true', 'canary-by-header': 'X-Region', 'canary-by-header-pattern': '^(us|eu)-\\w+$' },
      { canary: 'true', 'canary-by-cookie': 'canary' },
      { canary: 'true', 'canary-weight': '0' },
      { canary: 'true', 'canary-weight': '1000', 'canary-weight-total': '1000' },
      { canary: 'false', 'canary-weight': '10' },
    ];
    for (const annotations of good) {
      const input = [ingress('x', { annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [key(k), v])), rules: [{ host: 'x.test', paths: [{ path: '/', service: 'web' }] }] }), ...backends()];
      expect(codes(build(input).diagnostics), JSON.stringify(annotations)).to.deep.equal(annotations['canary'] === 'true' ? ['CANARY_WITHOUT_MAIN x spec.rules[0].http.paths[0]'] : []);
    }
  });

  const hostile = ['x\r\nmarker on;', 'x"; marker on; #', "x'", 'x$host', '${x}', 'x { marker }', 'x;y', 'x#y', 'x'.repeat(300), 'été', 'x\u0000'];
  const hostileByKey: Record<string, readonly string[]> = {
    canary: ['yes', 'TRUE ', ...hostile],
    'canary-by-header': ['X_Canary', 'X Canary', ...hostile],
    'canary-by-header-value': ['a\\b', '`x`', ...hostile],
    'canary-by-header-pattern': ['(?<=x)y', '(?i)x', '[', '\\1', 'x`', ...hostile.filter((h) => !h.startsWith('${') && h !== 'x$host' && h !== 'x { marker }')],
    'canary-by-cookie': ['beta-user', 'a.b', ...hostile],
    'canary-weight': ['-1', '1.5', '30%', '1000001', ...hostile],
    'canary-weight-total': ['0', '-5', ...hostile],
  };
  for (const [name, values] of Object.entries(hostileByKey)) {
    it(`rejects hostile values of ${name} with INVALID_ANNOTATION naming the key, and serves the other hosts`, async () => {
      for (const value of values) {
        const annotations = { [key('canary')]: name === 'canary' ? value : 'true', [key('canary-by-header')]: 'X-Canary', [key(name)]: value };
        const input = [
          ...objects({}),
          ingress('attacker', { annotations, rules: [{ host: 'app.test', paths: [{ path: '/api', service: 'web-next' }] }] }),
        ];
        const { diagnostics } = build(input);
        const found = diagnostics.filter((d) => d.object.name === 'attacker');
        expect(found.map((d) => `${d.code} ${d.field}`), JSON.stringify(value)).to.deep.equal([`INVALID_ANNOTATION metadata.annotations["${key(name)}"]`]);
        const config = await render(input);
        expect(findInjections(config, ['marker']), JSON.stringify(value)).to.deep.equal([]);
      }
    });
  }

  it('refuses canary-weight above canary-weight-total', () => {
    const input = [...objects({}), ingress('attacker', { annotations: { [key('canary')]: 'true', [key('canary-weight')]: '101' }, rules: [{ host: 'app.test', paths: [{ path: '/api', service: 'web-next' }] }] })];
    const found = build(input).diagnostics.filter((d) => d.object.name === 'attacker');
    expect(found.map((d) => d.message)).to.deep.equal(['rejected: canary-weight (101) is above canary-weight-total (100)']);
  });
});

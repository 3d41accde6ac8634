// Snippet annotations through a real nginx: a security-header snippet adds its headers to real responses,
// hostile snippets are refused with a diagnostic while every other host keeps answering, and with snippets
// off nothing a snippet says reaches nginx.conf.
import { expect } from 'chai';
import type { KubeObject } from '../../../src/model/kube.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { INJECTION_MARKER } from '../../support/hostile-arbitraries.js';
import { httpRequest } from '../../support/http-client.js';
import { findInjections } from '../../support/nginx-config-tokens.js';
import { configMap, endpointSlice, ingress, service } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

const key = (name: string): string => `nginx.ingress.kubernetes.io/${name}`;
const m = INJECTION_MARKER;

function site(name: string, annotations: Record<string, string>, paths: readonly string[] = ['/']): KubeObject {
  return ingress(name, {
    annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [key(k), v])),
    rules: [{ host: `${name}.test`, paths: paths.map((path) => ({ path, service: 'web' })) }],
  });
}

const securityHeaders = [
  'add_header X-Frame-Options "DENY" always;',
  'more_set_headers "X-Content-Type-Options: nosniff";',
  "add_header Content-Security-Policy \"default-src 'self'; frame-ancestors 'none'\" always;",
  'add_header X-Served-Host "$host";',
  // The echo backend sends X-Echo-Backend itself: more_set_headers replaces it.
  'more_set_headers "X-Echo-Backend: replaced";',
].join('\n');

/** Snippets an attacker would write (the anchor's snippet CVEs and breakouts), each on its own host. */
const hostile: readonly string[] = [
  'proxy_pass http://127.0.0.1:1/;',
  `location /${m} { alias /var/run/secrets/kubernetes.io/serviceaccount/; }`,
  `content_by_lua_block { ngx.say(io.open("/etc/passwd"):read("*a")) }`,
  'access_by_lua_block { os.execute("id"); }',
  'include /etc/passwd;',
  'root /;',
  'alias /etc/;',
  `add_header X-A "a"; } location /${m} { return 200 "${m}"; `,
  `add_header X-A "a";; ${m} on;`,
  `add_header X-A a; # } ${m} on;`,
  `more_set_headers "X-Token: $service_account_token"; ${m} on;`,
  'add_header X-A "$http_authorization";',
  `add_header X-A "x" "; ${m} on; #";`,
  `add_header X-A x\n${m} on;`,
];

describe('snippet annotations through nginx', () => {
  let backend: EchoBackend;
  let served: ServedConfig;
  let base: KubeObject[];

  before(async () => {
    backend = await startEchoBackend('web');
    base = [
      service('web'),
      endpointSlice('web', { port: backend.port, endpoints: [{ address: '127.0.0.1' }] }),
      site('plain', {}),
      site('secure', { 'configuration-snippet': securityHeaders, 'server-snippet': 'add_header Strict-Transport-Security "max-age=31536000" always;' }, ['/', '/api']),
      site('serveronly', { 'server-snippet': 'add_header X-Server "yes" always;' }),
    ];
    served = await serveObjects([...base, configMap({ 'allow-snippet-annotations': 'true' })]);
  });

  after(async () => {
    await served?.stop();
    await backend?.close();
  });

  it('adds the security headers of a configuration-snippet and a server-snippet to real responses', async () => {
    expect(served.diagnostics.filter((d) => d.object.kind === 'Ingress')).to.deep.equal([]);
    for (const path of ['/', '/api/x']) {
      const response = await httpRequest({ port: served.httpPort, host: 'secure.test', path });
      expect(response.status).to.equal(200);
      expect(response.json<EchoResponse>().backend).to.equal('web');
      expect(response.headers['x-frame-options']).to.equal('DENY');
      expect(response.headers['x-content-type-options']).to.equal('nosniff');
      expect(response.headers['content-security-policy']).to.equal("default-src 'self'; frame-ancestors 'none'");
      expect(response.headers['x-served-host']).to.equal('secure.test');
      expect(response.headers['x-echo-backend'], 'one header, the backend\'s replaced').to.equal('replaced');
      // The server's header survives in locations that add their own (nginx alone would drop it there).
      expect(response.headers['strict-transport-security']).to.equal('max-age=31536000');
    }
    expect((await httpRequest({ port: served.httpPort, host: 'serveronly.test', path: '/' })).headers['x-server']).to.equal('yes');
    const plain = await httpRequest({ port: served.httpPort, host: 'plain.test', path: '/' });
    expect(plain.headers['x-frame-options']).to.equal(undefined);
    expect(plain.headers['x-server']).to.equal(undefined);
    expect(plain.headers['x-echo-backend']).to.equal('web');
  });

  it('refuses each hostile snippet with a diagnostic naming the key, and every other host still answers', async () => {
    const attackers = hostile.flatMap((snippet, i) => [site(`evil${i}`, { 'configuration-snippet': snippet }), site(`evils${i}`, { 'server-snippet': snippet })]);
    await served.update([...base, configMap({ 'allow-snippet-annotations': 'true' }), ...attackers]);
    for (const attacker of attackers) {
      const found = served.diagnostics.filter((d) => d.object.name === attacker.metadata.name);
      expect(found.map((d) => d.code), attacker.metadata.name).to.have.length(1);
      expect(found[0]?.code).to.be.oneOf(['INVALID_ANNOTATION', 'ANNOTATION_REFUSED']);
      expect(found[0]?.field).to.match(/^metadata\.annotations\["nginx\.ingress\.kubernetes\.io\/(configuration|server)-snippet"\]$/);
      const response = await httpRequest({ port: served.httpPort, host: `${attacker.metadata.name}.test`, path: `/${m}` });
      expect(response.status, attacker.metadata.name).to.equal(404);
      expect(response.body + JSON.stringify(response.headers)).not.to.include(m);
    }
    expect(findInjections(served.config, [m])).to.deep.equal([]);
    expect(served.config).not.to.include(m);
    const good = await httpRequest({ port: served.httpPort, host: 'secure.test', path: '/' });
    expect(good.headers['x-frame-options']).to.equal('DENY');
    expect((await httpRequest({ port: served.httpPort, host: 'plain.test', path: '/' })).json<EchoResponse>().backend).to.equal('web');
  });

  it('with snippets off, rejects the Ingresses that have one and nothing from a snippet appears in the config', async () => {
    await served.update(base);
    expect(served.diagnostics.filter((d) => d.object.kind === 'Ingress').map((d) => `${d.code} ${d.object.name}`)).to.deep.equal([
      'ANNOTATION_REFUSED secure',
      'ANNOTATION_REFUSED secure',
      'ANNOTATION_REFUSED serveronly',
    ]);
    for (const text of ['X-Frame-Options', 'nosniff', 'Strict-Transport-Security', 'X-Server', 'secure.test']) expect(served.config).not.to.include(text);
    expect((await httpRequest({ port: served.httpPort, host: 'secure.test', path: '/' })).status).to.equal(404);
    expect((await httpRequest({ port: served.httpPort, host: 'plain.test', path: '/' })).json<EchoResponse>().backend).to.equal('web');
  });
});

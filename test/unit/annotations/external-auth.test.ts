// external-auth (auth-url, auth-method, auth-signin, auth-signin-redirect-param, auth-response-headers,
// auth-always-set-cookie, auth-proxy-set-headers): grammars, hostile values, and the directives of the
// protected locations and of the internal location each server gets.
import { expect } from 'chai';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { KubeObject } from '../../../src/model/kube.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { authLocationOf } from '../../../src/annotations/modules/external-auth.js';
import { compile, type Compilation } from '../../../src/pipeline/compile.js';
import type { ConfigTemplate } from '../../../src/render/render-config.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { findInjections } from '../../support/nginx-config-tokens.js';
import { goldenOptions } from '../../support/golden-options.js';
import { ingress, service } from '../../support/objects.js';

const key = (k: string): string => `nginx.ingress.kubernetes.io/${k}`;
const url = 'http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth';
const internal = authLocationOf(url, undefined);

describe('external-auth annotation', () => {
  let template: ConfigTemplate;
  before(async () => {
    template = await loadTemplates();
  });

  const build = (objects: readonly KubeObject[], resolvers: readonly string[] = []): Compilation =>
    compile(snapshotOf([service('web'), ...objects]), template, { ...goldenOptions, render: { ...goldenOptions.render, resolvers } });
  const errorsOf = (result: Compilation): Diagnostic[] => result.diagnostics.filter((d) => d.severity === 'error');
  const protectedIngress = (annotations: Record<string, string>, hosts: readonly (string | undefined)[] = ['shop.test'], name = 'shop'): KubeObject =>
    ingress(name, { annotations, rules: hosts.map((host) => ({ ...(host === undefined ? {} : { host }), paths: [{ path: '/', service: 'web' }] })) });
  /** The server block of `host` in the rendered config. */
  const serverOf = (config: string, host: string): string =>
    config.split('\n    server {\n').find((b) => b.includes(host === '_' ? 'server_name _;' : `server_name "${host}";`)) ?? '';

  it('asks the internal location of the Ingress from every location, which proxies to auth-url with the original URL and method', () => {
    const result = build([protectedIngress({ [key('auth-url')]: url, [key('auth-response-headers')]: 'X-Auth-Request-User,X-Auth-Request-Email' })]);
    expect(errorsOf(result)).to.deep.equal([]);
    const server = serverOf(result.rendered.config, 'shop.test');
    expect(internal).to.match(/^\/\^portico-auth\/[0-9a-f]{16}$/);
    expect(server).to.include(`location = "${internal}" {\n            internal;`);
    expect(server).to.include('proxy_set_header X-Original-URL "$scheme://$http_host$request_uri";');
    expect(server).to.include('proxy_set_header X-Original-Method $request_method;');
    expect(server).to.include('proxy_pass_request_body off;');
    expect(server).to.include(`set $portico_auth_target "${url}";\n            proxy_pass $portico_auth_target;`);
    expect(server).to.include(`auth_request "${internal}";`);
    expect(server).to.include('auth_request_set $portico_auth_x_auth_request_user $upstream_http_x_auth_request_user;');
    expect(server).to.include('proxy_set_header X-Auth-Request-User $portico_auth_x_auth_request_user;');
    // A location that sets a proxy header gets the inherited ones again.
    expect(server).to.include('proxy_set_header X-Forwarded-Host $host;');
    expect(findInjections(result.rendered.config)).to.deep.equal([]);
  });

  it('gives each server of the Ingress its internal location (rules without host included), once per auth-url and method', () => {
    const result = build([
      protectedIngress({ [key('auth-url')]: url }, ['a.test', 'b.test', undefined]),
      protectedIngress({ [key('auth-url')]: 'http://10.0.0.9/check' }, ['a.test'], 'other'),
      protectedIngress({ [key('auth-url')]: url }, ['a.test'], 'same-service'),
      protectedIngress({ [key('auth-url')]: url, [key('auth-method')]: 'POST' }, ['b.test'], 'other-method'),
    ]);
    const internals = (directives: readonly { name: string }[]): number => directives.filter((d) => d.name === 'location').length;
    expect(result.model.servers.map((s) => [s.host, internals(s.directives)])).to.deep.equal([
      ['a.test', 2],
      ['b.test', 2],
    ]);
    expect(internals(result.model.defaultServer.directives)).to.equal(1);
  });

  it("replaces $host in auth-url by the rule's host, keeps it on wildcard hosts, and answers 500 on rules without host", () => {
    const result = build([protectedIngress({ [key('auth-url')]: 'https://$host/oauth2/auth' }, ['shop.test', '*.shop.test', undefined])]);
    expect(serverOf(result.rendered.config, 'shop.test')).to.include('set $portico_auth_target "https://shop.test/oauth2/auth";');
    expect(result.rendered.config).to.include('set $portico_auth_target "https://$host/oauth2/auth";');
    const hostVariable = authLocationOf('https://$host/oauth2/auth', undefined);
    expect(serverOf(result.rendered.config, '_')).to.include(`location = "${hostVariable}" {\n            internal;\n            return 500;\n        }`);
  });

  it('adds rd= to auth-signin unless it has the parameter, and honours auth-signin-redirect-param', () => {
    const cases: readonly [Record<string, string>, string][] = [
      [{ [key('auth-signin')]: 'https://login.test/start' }, '"https://login.test/start?rd=$scheme://$http_host$portico_escaped_request_uri"'],
      [{ [key('auth-signin')]: 'https://login.test/start?x=1' }, '"https://login.test/start?x=1&rd=$scheme://$http_host$portico_escaped_request_uri"'],
      [{ [key('auth-signin')]: 'https://$host/oauth2/start?rd=$escaped_request_uri' }, '"https://$host/oauth2/start?rd=$portico_escaped_request_uri"'],
      [{ [key('auth-signin')]: 'https://login.test/start', [key('auth-signin-redirect-param')]: 'next' }, '"https://login.test/start?next=$scheme://$http_host$portico_escaped_request_uri"'],
    ];
    for (const [annotations, target] of cases) {
      const result = build([protectedIngress({ [key('auth-url')]: url, ...annotations })]);
      expect(errorsOf(result), JSON.stringify(annotations)).to.deep.equal([]);
      expect(result.rendered.config).to.include(`error_page 401 = ${target};`);
    }
  });

  it('passes the response headers to gRPC backends with grpc_set_header', () => {
    const result = build([protectedIngress({ [key('auth-url')]: url, [key('auth-response-headers')]: 'X-Auth-Request-User', [key('backend-protocol')]: 'GRPC' })]);
    expect(errorsOf(result)).to.deep.equal([]);
    const server = serverOf(result.rendered.config, 'shop.test');
    expect(server).to.include('grpc_set_header X-Auth-Request-User $portico_auth_x_auth_request_user;');
    expect(server).not.to.include('proxy_set_header X-Auth-Request-User');
  });

  it('uses auth-method as proxy_method, and always-set-cookie as add_header … always', () => {
    const result = build([protectedIngress({ [key('auth-url')]: url, [key('auth-method')]: 'POST', [key('auth-always-set-cookie')]: 'true' })]);
    expect(result.rendered.config).to.include('proxy_method POST;');
    expect(result.rendered.config).to.include('proxy_set_header X-Original-URI $request_uri;');
    expect(result.rendered.config).to.include('add_header Set-Cookie $portico_auth_cookie always;');
  });

  it('writes a resolver for host names in auth-url when the render knows DNS servers', () => {
    const result = build([protectedIngress({ [key('auth-url')]: url })], ['10.96.0.10', 'fd00::10']);
    expect(result.rendered.config).to.include('    resolver "10.96.0.10" "[fd00::10]" valid=30s;\n');
    expect(build([protectedIngress({ [key('auth-url')]: url })]).rendered.config).not.to.include('resolver');
  });

  it('refuses auth-proxy-set-headers, and the other keys without auth-url', () => {
    const cases: readonly [Record<string, string>, string, string][] = [
      [{ [key('auth-url')]: url, [key('auth-proxy-set-headers')]: 'default/headers' }, 'auth-proxy-set-headers', 'not supported'],
      [{ [key('auth-signin')]: 'https://login.test/' }, 'auth-signin', 'needs auth-url'],
      [{ [key('auth-method')]: 'GET' }, 'auth-method', 'needs auth-url'],
      [{ [key('auth-response-headers')]: 'X-User' }, 'auth-response-headers', 'needs auth-url'],
    ];
    for (const [annotations, field, message] of cases) {
      const result = build([protectedIngress(annotations), protectedIngress({}, ['other.test'], 'other')]);
      expect(result.model.servers.map((s) => s.host), JSON.stringify(annotations)).to.deep.equal(['other.test']);
      const errors = errorsOf(result);
      expect(errors.map((d) => [d.code, d.field])).to.deep.equal([['INVALID_ANNOTATION', `metadata.annotations["nginx.ingress.kubernetes.io/${field}"]`]]);
      expect(errors[0]?.message).to.include(message);
    }
  });

  const hostileUrls = [
    'http://auth.test/verify; deny all;',
    'http://auth.test/#;\ndeny all;',
    'http://auth.test/$http_authorization',
    'http://auth.test/${host}',
    'http://auth.test/$hostx',
    'http://$http_host/verify',
    'http://$remote_addr/verify',
    'http://auth.test/"; deny all; #',
    "http://auth.test/'",
    'http://auth.test/{x}',
    'http://auth.test/a b',
    'http://auth.test/\\',
    'http://user:pass@auth.test/',
    'file:///etc/passwd',
    'ftp://auth.test/',
    '//auth.test/verify',
    '/verify',
    'http://aüth.test/',
    `http://auth.test/${'a'.repeat(3000)}`,
    'http://auth.test:99999999/',
  ];
  for (const value of hostileUrls) {
    it(`refuses the auth-url ${JSON.stringify(value.slice(0, 50))}`, () => {
      const result = build([protectedIngress({ [key('auth-url')]: value })]);
      expect(result.model.servers).to.deep.equal([]);
      expect(errorsOf(result).map((d) => [d.code, d.field])).to.deep.equal([['INVALID_ANNOTATION', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-url"]']]);
    });
  }

  for (const [k, value] of [
    ['auth-method', 'GET; deny all'],
    ['auth-method', 'get'],
    ['auth-method', 'GET\n'],
    ['auth-method', 'PROPFIND'],
    ['auth-signin', 'https://login.test/?rd=$request_body'],
    ['auth-signin', 'https://login.test/"; return 200; #'],
    ['auth-signin', 'javascript:alert(1)'],
    ['auth-signin-redirect-param', 'rd=x'],
    ['auth-signin-redirect-param', 'r d'],
    ['auth-response-headers', 'X-User; deny all'],
    ['auth-response-headers', 'X-User,'],
    ['auth-response-headers', 'X-User:x'],
    ['auth-response-headers', 'X.User'],
    ['auth-response-headers', '$http_x'],
    ['auth-always-set-cookie', 'yes'],
  ] as const) {
    it(`refuses ${k} ${JSON.stringify(value)}`, () => {
      const result = build([protectedIngress({ [key('auth-url')]: url, [key(k)]: value })]);
      expect(result.model.servers).to.deep.equal([]);
      expect(errorsOf(result).map((d) => [d.code, d.field])).to.deep.equal([['INVALID_ANNOTATION', `metadata.annotations["nginx.ingress.kubernetes.io/${k}"]`]]);
    });
  }
});

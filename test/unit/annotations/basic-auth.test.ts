// basic-auth (auth-type, auth-secret, auth-secret-type, auth-realm): grammars, hostile values, the Secret's
// content checks, the fail-closed rejection and the directives a location gets.
import { expect } from 'chai';
import { parseHtpasswd } from '../../../src/build/parse-htpasswd.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { KubeObject, Secret } from '../../../src/model/kube.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { compile, type Compilation } from '../../../src/pipeline/compile.js';
import type { ConfigTemplate } from '../../../src/render/render-config.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { goldenOptions } from '../../support/golden-options.js';
import { ingress, opaqueSecret, service } from '../../support/objects.js';

const apr1 = '$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/';
const sha512 = '$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.';
const sha256 = '$5$abc$qsg6EHbUzHQzF1POlD7zUwBINSELQxypPaeDcZe6vH0';
const key = (k: string): string => `nginx.ingress.kubernetes.io/${k}`;

function protectedIngress(annotations: Record<string, string>, name = 'shop'): KubeObject {
  return ingress(name, { annotations, rules: [{ host: `${name}.test`, paths: [{ path: '/', service: 'web' }] }] });
}

const basic = (secret = 'users', extra: Record<string, string> = {}): Record<string, string> => ({ [key('auth-type')]: 'basic', [key('auth-secret')]: secret, ...extra });

describe('basic-auth annotation', () => {
  let template: ConfigTemplate;
  before(async () => {
    template = await loadTemplates();
  });

  const build = (objects: readonly KubeObject[]): Compilation => compile(snapshotOf([service('web'), ...objects]), template, goldenOptions);
  const errorsOf = (result: Compilation): Diagnostic[] => result.diagnostics.filter((d) => d.severity === 'error');
  const served = (result: Compilation): string[] => result.model.servers.map((s) => s.host);

  it('puts auth_basic and the htpasswd file (under the runtime directory, named from namespace and Secret) into every location', () => {
    const result = build([protectedIngress(basic('users', { [key('auth-realm')]: "Shop's staff only" })), opaqueSecret('users', { auth: `alice:${apr1}\nbob:${sha512}\n` })]);
    expect(errorsOf(result)).to.deep.equal([]);
    const location = result.model.servers[0]?.locations.find((l) => l.path === '/');
    expect(location?.directives).to.deep.equal([
      { name: 'auth_basic', args: [{ kind: 'literal', text: "Shop's staff only" }] },
      { name: 'auth_basic_user_file', args: [{ kind: 'runtimeFile', file: { area: 'auth', name: 'default_users_auth-file' } }] },
    ]);
    expect(result.rendered.config).to.include(`auth_basic "Shop's staff only";`);
    expect(result.rendered.config).to.include('auth_basic_user_file "/run/portico/auth/default_users_auth-file.htpasswd";');
    expect(result.rendered.files.find((f) => f.path === '/run/portico/auth/default_users_auth-file.htpasswd')).to.deep.equal({
      path: '/run/portico/auth/default_users_auth-file.htpasswd',
      content: `alice:${apr1}\nbob:${sha512}\n`,
      mode: 0o600,
    });
  });

  it('defaults the realm to "Authentication Required" and never prints hashes in the model JSON', () => {
    const result = build([protectedIngress(basic()), opaqueSecret('users', { auth: `alice:${apr1}` })]);
    expect(result.rendered.config).to.include('auth_basic "Authentication Required";');
    expect(JSON.stringify(result.model)).not.to.include(apr1);
    expect(result.model.authFiles.map((f) => [f.name, f.users])).to.deep.equal([['default_users_auth-file', 1]]);
  });

  it('reads auth-map Secrets: each key a user, each value a hash (sorted, a trailing newline dropped)', () => {
    const result = build([protectedIngress(basic('map', { [key('auth-secret-type')]: 'auth-map' })), opaqueSecret('map', { zoe: `${sha256}\n`, alice: apr1 })]);
    expect(errorsOf(result)).to.deep.equal([]);
    expect(result.rendered.files.find((f) => f.path.endsWith('default_map_auth-map.htpasswd'))?.content).to.equal(`alice:${apr1}\nzoe:${sha256}\n`);
  });

  it('accepts namespace/name in the Ingress\'s own namespace, and shares one file between Ingresses', () => {
    const result = build([
      protectedIngress(basic('default/users'), 'a'),
      protectedIngress(basic('users'), 'b'),
      opaqueSecret('users', { auth: `alice:${apr1}` }),
    ]);
    expect(errorsOf(result)).to.deep.equal([]);
    expect(served(result)).to.deep.equal(['a.test', 'b.test']);
    expect(result.model.authFiles).to.have.length(1);
  });

  it('rejects a Secret in another namespace, with INVALID_ANNOTATION naming the key; other Ingresses are served', () => {
    const result = build([
      protectedIngress(basic('kube-system/users'), 'a'),
      protectedIngress({}, 'b'),
      opaqueSecret('users', { auth: `alice:${apr1}` }, 'kube-system'),
    ]);
    expect(served(result)).to.deep.equal(['b.test']);
    const [error] = errorsOf(result);
    expect(error?.code).to.equal('INVALID_ANNOTATION');
    expect(error?.field).to.equal('metadata.annotations["nginx.ingress.kubernetes.io/auth-secret"]');
    expect(error?.message).to.include("own namespace (default), not kube-system");
  });

  it('fails closed: a missing Secret rejects the Ingress with AUTH_SECRET_NOT_FOUND naming it', () => {
    const result = build([protectedIngress(basic('nope'))]);
    expect(served(result)).to.deep.equal([]);
    expect(result.model.defaultServer.locations.every((l) => l.route === undefined)).to.equal(true);
    expect(errorsOf(result).map((d) => [d.code, d.object.name, d.field])).to.deep.equal([
      ['AUTH_SECRET_NOT_FOUND', 'shop', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-secret"]'],
    ]);
    expect(errorsOf(result)[0]?.message).to.include('Secret default/nope does not exist');
  });

  const badContents: readonly [string, Secret['data'], string][] = [
    ['no auth key', { users: `alice:${apr1}` }, 'no key "auth"'],
    ['empty', { auth: '' }, 'no user'],
    ['only comments', { auth: '# nobody\n\n' }, 'no user'],
    ['no colon', { auth: 'alice' }, 'line 1: not user:hash'],
    ['plain password', { auth: 'alice:{PLAIN}secret' }, 'in clear'],
    ['not a hash', { auth: 'alice:secret' }, 'line 1: not a password hash'],
    ['control character', { auth: `alice:${apr1}\nbob\u0000:${apr1}` }, 'line 2: a control character'],
    ['CR inside a line', { auth: `al\rice:${apr1}` }, 'line 1: a control character'],
    ['a user twice', { auth: `alice:${apr1}\nalice:${sha512}` }, 'line 2: the user of an earlier line again'],
    ['an empty user', { auth: `:${apr1}` }, 'line 1: a user name'],
    ['a user starting with a space', { auth: ` alice:${apr1}` }, 'line 1: a user name'],
    ['a hash with a quote', { auth: `alice:${apr1}"` }, 'line 1: not a password hash'],
    ['unicode user', { auth: `ålice:${apr1}` }, 'line 1: a user name'],
  ];
  for (const [name, data, reason] of badContents) {
    it(`rejects an htpasswd Secret with ${name} (AUTH_SECRET_INVALID), never quoting a hash`, () => {
      const result = build([protectedIngress(basic()), opaqueSecret('users', data), protectedIngress({}, 'other')]);
      expect(served(result)).to.deep.equal(['other.test']);
      const [error] = errorsOf(result);
      expect(error?.code).to.equal('AUTH_SECRET_INVALID');
      expect(error?.message).to.include('Secret default/users (auth-file)').and.to.include(reason);
      expect(error?.message).not.to.include(apr1);
    });
  }

  it('rejects auth-map keys that are not user names and values that are not hashes', () => {
    for (const data of [{ 'a:b': apr1 }, { '#alice': apr1 }, { alice: 'secret' }, { alice: `${apr1}\nbob:${apr1}` }, {}]) {
      const result = build([protectedIngress(basic('map', { [key('auth-secret-type')]: 'auth-map' })), opaqueSecret('map', data)]);
      expect(errorsOf(result).map((d) => d.code), JSON.stringify(data)).to.deep.equal(['AUTH_SECRET_INVALID']);
    }
  });

  it('accepts CRLF line ends, comments, blank lines and extra fields as htpasswd does, writing clean lines', () => {
    const parsed = parseHtpasswd(`# staff\r\nalice:${apr1}:Alice A.\r\n\r\nbob:${sha256}\r\n`);
    expect(parsed).to.deep.equal({ ok: true, entries: [{ user: 'alice', hash: apr1 }, { user: 'bob', hash: sha256 }] });
  });

  it('refuses digest, a secret without a type, a type without a secret, and realms nginx would misread', () => {
    const cases: readonly [Record<string, string>, string, string][] = [
      [{ [key('auth-type')]: 'digest', [key('auth-secret')]: 'users' }, 'auth-type', 'digest authentication is not supported'],
      [{ [key('auth-secret')]: 'users' }, 'auth-type', 'auth-secret needs auth-type'],
      [{ [key('auth-type')]: 'basic' }, 'auth-secret', 'auth-type needs auth-secret'],
      [{ [key('auth-realm')]: 'x' }, 'auth-realm', 'needs auth-type'],
      [basic('users', { [key('auth-realm')]: 'off' }), 'auth-realm', 'not "off"'],
      [basic('users', { [key('auth-realm')]: 'OFF' }), 'auth-realm', 'not "off"'],
      [basic('users', { [key('auth-secret-type')]: 'auth-dir' }), 'auth-secret-type', 'one of auth-file, auth-map'],
    ];
    for (const [annotations, field, message] of cases) {
      const result = build([protectedIngress(annotations), opaqueSecret('users', { auth: `alice:${apr1}` })]);
      expect(served(result), JSON.stringify(annotations)).to.deep.equal([]);
      const errors = errorsOf(result);
      expect(errors.map((d) => d.field), JSON.stringify(annotations)).to.include(`metadata.annotations["nginx.ingress.kubernetes.io/${field}"]`);
      expect(errors.map((d) => d.message).join(' | ')).to.include(message);
    }
  });

  const hostile = [
    'users"; deny all; #',
    'users;',
    'users\nauth_basic off;',
    'users\r\n',
    '../users',
    '../../etc/passwd',
    'default/../users',
    '/etc/passwd',
    'users$host',
    'users{}',
    'users#',
    'Users',
    'ü',
    'a'.repeat(300),
    'default/users/x',
  ];
  for (const value of hostile) {
    it(`refuses the hostile auth-secret ${JSON.stringify(value.slice(0, 40))} with INVALID_ANNOTATION`, () => {
      const result = build([protectedIngress(basic(value)), opaqueSecret('users', { auth: `alice:${apr1}` })]);
      expect(served(result)).to.deep.equal([]);
      expect(errorsOf(result).map((d) => [d.code, d.field])).to.deep.equal([['INVALID_ANNOTATION', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-secret"]']]);
      expect(result.rendered.files.some((f) => f.path.includes('/auth/'))).to.equal(false);
    });
  }

  for (const value of ['Staff"; auth_basic off; #', 'Staff\nauth_basic off;', 'Staff $host', 'Staff {x}', 'Staff;', 'Staff \\', 'Stäff', 'x'.repeat(200)]) {
    it(`refuses the hostile auth-realm ${JSON.stringify(value.slice(0, 40))} with INVALID_ANNOTATION`, () => {
      const result = build([protectedIngress(basic('users', { [key('auth-realm')]: value })), opaqueSecret('users', { auth: `alice:${apr1}` })]);
      expect(served(result)).to.deep.equal([]);
      expect(errorsOf(result).map((d) => [d.code, d.field])).to.deep.equal([['INVALID_ANNOTATION', 'metadata.annotations["nginx.ingress.kubernetes.io/auth-realm"]']]);
    });
  }

  for (const value of ['basic; deny all', 'Basic', 'basic\n', 'ntlm', '']) {
    it(`refuses the auth-type ${JSON.stringify(value)}`, () => {
      const result = build([protectedIngress({ [key('auth-type')]: value, [key('auth-secret')]: 'users' }), opaqueSecret('users', { auth: `alice:${apr1}` })]);
      expect(served(result)).to.deep.equal([]);
      expect(errorsOf(result).map((d) => d.field)).to.include('metadata.annotations["nginx.ingress.kubernetes.io/auth-type"]');
    });
  }
});

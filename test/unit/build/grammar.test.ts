// Unit tests for the closed grammars: hosts, DNS labels and subdomains, port names and Ingress paths.
import { expect } from 'chai';
import { MAX_HOST_LENGTH, MAX_PATH_LENGTH, isDnsLabel, isDnsSubdomain, isHost, isPortName, pathProblem } from '../../../src/build/grammar.js';

/** `count` labels of `size` characters joined by dots. */
function dottedName(count: number, size: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(size)).join('.');
}

describe('isHost', () => {
  it('accepts a lower-case DNS name', () => {
    expect(isHost('example.com')).to.equal(true);
    expect(isHost('a-b.c0.example.com')).to.equal(true);
  });

  it('accepts a single label', () => {
    expect(isHost('localhost')).to.equal(true);
  });

  it('accepts one leading "*." wildcard', () => {
    expect(isHost('*.example.com')).to.equal(true);
  });

  it('rejects "*" anywhere but as the leading label', () => {
    for (const host of ['*', '*example.com', 'foo.*.example.com', 'example.*', '*.*.example.com', 'a*.example.com', '**.example.com']) {
      expect(isHost(host), host).to.equal(false);
    }
  });

  it('rejects upper case, since callers lower-case first', () => {
    expect(isHost('Example.com')).to.equal(false);
    expect(isHost('*.EXAMPLE.COM')).to.equal(false);
  });

  it('rejects IPv4 and IPv6 addresses', () => {
    for (const host of ['10.0.0.1', '127.0.0.1', '1.2.3', '::1', '[::1]', 'fe80::1', '2001:db8::1']) {
      expect(isHost(host), host).to.equal(false);
    }
  });

  it('accepts a name with numeric labels that is not an address', () => {
    expect(isHost('1.2.3.example')).to.equal(true);
  });

  it('rejects a trailing dot, a leading dot and empty labels', () => {
    for (const host of ['example.com.', '.example.com', 'example..com', '*.', '']) {
      expect(isHost(host), JSON.stringify(host)).to.equal(false);
    }
  });

  it('rejects labels that start or end with a hyphen', () => {
    expect(isHost('-a.example.com')).to.equal(false);
    expect(isHost('a-.example.com')).to.equal(false);
  });

  it('rejects nginx syntax, spaces, ports and underscores', () => {
    for (const host of ['a;b.com', 'a{b}.com', 'a b.com', 'example.com:80', 'a_b.com', 'a$host.com', 'a"b.com', 'a\nb.com']) {
      expect(isHost(host), JSON.stringify(host)).to.equal(false);
    }
  });

  it('accepts a 63-character label and rejects a 64-character one', () => {
    expect(isHost(`${'a'.repeat(63)}.com`)).to.equal(true);
    expect(isHost(`${'a'.repeat(64)}.com`)).to.equal(false);
  });

  it('accepts a 253-character host and rejects a 254-character one', () => {
    const longest = `${dottedName(3, 63)}.${'d'.repeat(61)}`;
    expect(longest).to.have.length(MAX_HOST_LENGTH);
    expect(isHost(longest)).to.equal(true);
    expect(isHost(`${longest}e`)).to.equal(false);
  });

  it('counts the wildcard toward the 253-character limit', () => {
    const name = `${dottedName(3, 63)}.${'d'.repeat(59)}`;
    expect(`*.${name}`).to.have.length(MAX_HOST_LENGTH);
    expect(isHost(`*.${name}`)).to.equal(true);
    expect(isHost(`*.${name}e`)).to.equal(false);
  });
});

describe('isDnsLabel', () => {
  it('accepts lower-case letters, digits and inner hyphens', () => {
    for (const label of ['a', '0', 'web', 'my-service', '1abc', 'a1-b2']) expect(isDnsLabel(label), label).to.equal(true);
  });

  it('rejects dots, upper case, underscores, edge hyphens and the empty string', () => {
    for (const label of ['a.b', 'Web', 'my_service', '-web', 'web-', '', 'we b', 'web;']) {
      expect(isDnsLabel(label), JSON.stringify(label)).to.equal(false);
    }
  });

  it('accepts 63 characters and rejects 64', () => {
    expect(isDnsLabel('a'.repeat(63))).to.equal(true);
    expect(isDnsLabel('a'.repeat(64))).to.equal(false);
  });
});

describe('isDnsSubdomain', () => {
  it('accepts dotted lower-case names', () => {
    expect(isDnsSubdomain('web')).to.equal(true);
    expect(isDnsSubdomain('web.v1-tls')).to.equal(true);
  });

  it('rejects wildcards, empty labels, upper case and trailing dots', () => {
    for (const name of ['*.web', 'web..tls', 'Web', 'web.', '.web', '', 'web tls']) {
      expect(isDnsSubdomain(name), JSON.stringify(name)).to.equal(false);
    }
  });

  it('accepts 253 characters and rejects 254', () => {
    const longest = `${dottedName(3, 63)}.${'d'.repeat(61)}`;
    expect(isDnsSubdomain(longest)).to.equal(true);
    expect(isDnsSubdomain(`${longest}e`)).to.equal(false);
  });

  it('rejects a label longer than 63 characters', () => {
    expect(isDnsSubdomain(`${'a'.repeat(64)}.b`)).to.equal(false);
  });
});

describe('isPortName', () => {
  it('accepts IANA service names', () => {
    for (const name of ['http', 'https', 'h2c', 'grpc-web', 'a', 'web8080', '8080a']) expect(isPortName(name), name).to.equal(true);
  });

  it('requires at least one letter', () => {
    expect(isPortName('8080')).to.equal(false);
    expect(isPortName('80-80')).to.equal(false);
  });

  it('accepts 15 characters and rejects 16', () => {
    expect(isPortName('a'.repeat(15))).to.equal(true);
    expect(isPortName('a'.repeat(16))).to.equal(false);
  });

  it('rejects edge hyphens and consecutive hyphens', () => {
    for (const name of ['-http', 'http-', 'ht--tp']) expect(isPortName(name), name).to.equal(false);
  });

  it('rejects upper case, dots, underscores and the empty string', () => {
    for (const name of ['HTTP', 'h.ttp', 'h_ttp', '', 'ht tp']) expect(isPortName(name), JSON.stringify(name)).to.equal(false);
  });
});

describe('pathProblem', () => {
  it('accepts every character of the allowed set', () => {
    const allowed = '/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!&()*+,=:@/';
    expect(pathProblem(allowed)).to.equal(undefined);
  });

  it('accepts the root and ordinary paths', () => {
    for (const path of ['/', '/api', '/api/v1/', '/a//b', '/@user', '/x:y', '/a=b&c=d']) expect(pathProblem(path), path).to.equal(undefined);
  });

  it('requires a leading slash', () => {
    expect(pathProblem('api')).to.equal('must start with "/"');
    expect(pathProblem('')).to.equal('must start with "/"');
  });

  for (const c of [';', '{', '}', '"', "'", '#', '$', '\\', '%', ' ', '?', '[', ']', '<', '>', '|', '^', '`']) {
    it(`rejects a path containing ${JSON.stringify(c)} and names the character`, () => {
      const problem = pathProblem(`/a${c}b`);
      expect(problem).to.be.a('string');
      expect(problem).to.contain(`"${c}"`);
    });
  }

  const controls: readonly [string, string][] = [
    ['CR', '\r'],
    ['LF', '\n'],
    ['tab', '\t'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
  ];
  for (const [label, c] of controls) {
    it(`rejects a path containing ${label}, naming it by code point without echoing it`, () => {
      const problem = pathProblem(`/a${c}b`) ?? '';
      expect(problem).to.contain(`U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
      expect(problem).not.to.contain(c);
    });
  }

  it('rejects non-ASCII characters by code point', () => {
    expect(pathProblem('/caf\u00e9')).to.contain('U+00E9');
    expect(pathProblem('/\u{1F600}')).to.contain('U+1F600');
    expect(pathProblem('/a\u2028b')).to.contain('U+2028');
  });

  it('names the first offending character', () => {
    expect(pathProblem('/a;b{c')).to.contain('";"');
  });

  it(`accepts ${MAX_PATH_LENGTH} characters and rejects one more`, () => {
    const longest = `/${'a'.repeat(MAX_PATH_LENGTH - 1)}`;
    expect(pathProblem(longest)).to.equal(undefined);
    expect(pathProblem(`${longest}a`)).to.equal(`is longer than ${MAX_PATH_LENGTH} characters`);
  });
});

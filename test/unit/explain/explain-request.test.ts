// Unit tests for explain: parsing a URL as nginx sees it, nginx's server and location selection, and the outcome it predicts.
import { expect } from 'chai';
import { buildModel } from '../../../src/build/build-model.js';
import { explainRequest, parseRequestTarget, selectLocation, selectServer, type Explanation } from '../../../src/explain/explain-request.js';
import type { KubeObject } from '../../../src/model/kube.js';
import type { Location, NginxModel } from '../../../src/model/nginx-model.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, endpoints, ingress, service } from '../../support/objects.js';

function modelOf(objects: readonly KubeObject[]): { model: NginxModel; diagnostics: ReturnType<typeof buildModel>['diagnostics'] } {
  return buildModel(snapshotOf(objects), goldenOptions);
}

function explain(objects: readonly KubeObject[], url: string): Explanation {
  const { model, diagnostics } = modelOf(objects);
  return explainRequest(model, diagnostics, parseRequestTarget(url));
}

function location(modifier: '=' | '', path: string): Location {
  return { modifier, path, action: { kind: 'status', code: 404 }, sslRedirect: false, route: undefined, directives: [] };
}

function serversModel(hosts: readonly string[]): NginxModel {
  const { model } = modelOf([]);
  return { ...model, servers: hosts.map((host) => ({ host, tls: undefined, locations: [location('', '/')], directives: [] })) };
}

describe('parseRequestTarget', () => {
  it('lower-cases the host and strips the port', () => {
    expect(parseRequestTarget('http://Shop.Example.COM:8080/a')).to.deep.equal({ scheme: 'http', host: 'shop.example.com', path: '/a', uri: '/a' });
  });

  it('reads https', () => {
    expect(parseRequestTarget('https://a.example.com/').scheme).to.equal('https');
  });

  it('decodes percent-encodings, as nginx matches the decoded path', () => {
    expect(parseRequestTarget('http://a.example.com/caf%C3%A9/x%20y').path).to.equal('/café/x y');
  });

  it('merges repeated slashes, encoded ones included', () => {
    expect(parseRequestTarget('http://a.example.com//a///b').path).to.equal('/a/b');
    expect(parseRequestTarget('http://a.example.com/a/%2F/b').path).to.equal('/a/b');
  });

  it('resolves dot segments', () => {
    expect(parseRequestTarget('http://a.example.com/a/../b/./c').path).to.equal('/b/c');
  });

  it('ignores the query string and fragment', () => {
    expect(parseRequestTarget('http://a.example.com/a?x=/b#c').path).to.equal('/a');
  });

  it('reads an empty path as /', () => {
    expect(parseRequestTarget('http://a.example.com').path).to.equal('/');
  });

  it('drops a trailing dot from the host, as nginx does', () => {
    expect(parseRequestTarget('http://a.example.com./').host).to.equal('a.example.com');
  });

  it('rejects URLs that are not http or https', () => {
    expect(() => parseRequestTarget('ftp://a.example.com/')).to.throw('not an http(s) URL');
    expect(() => parseRequestTarget('file:///etc/passwd')).to.throw('not an http(s) URL');
  });

  it('rejects text that is not a URL', () => {
    expect(() => parseRequestTarget('a.example.com/path')).to.throw();
  });
});

describe('selectServer', () => {
  const model = serversModel(['a.example.com', '*.example.com', 'x.a.example.com']);

  it('prefers the exact host', () => {
    expect(selectServer(model, 'a.example.com')).to.deep.include({ kind: 'exact' });
    expect(selectServer(model, 'a.example.com').server?.host).to.equal('a.example.com');
  });

  it('falls back to a wildcard that covers exactly one label', () => {
    const selected = selectServer(model, 'b.example.com');
    expect(selected.kind).to.equal('wildcard');
    expect(selected.server?.host).to.equal('*.example.com');
  });

  it('does not let a wildcard cover two labels', () => {
    expect(selectServer(model, 'y.b.example.com')).to.deep.equal({ kind: 'default', server: undefined });
  });

  it('does not let a wildcard cover its bare domain', () => {
    expect(selectServer(model, 'example.com')).to.deep.equal({ kind: 'default', server: undefined });
  });

  it('prefers an exact host over a wildcard that would also match', () => {
    expect(selectServer(serversModel(['*.a.example.com', 'x.a.example.com']), 'x.a.example.com').server?.host).to.equal('x.a.example.com');
  });

  it('falls back to the default server for unknown hosts', () => {
    expect(selectServer(model, 'other.test')).to.deep.equal({ kind: 'default', server: undefined });
    expect(selectServer(model, 'localhost')).to.deep.equal({ kind: 'default', server: undefined });
  });
});

describe('selectLocation', () => {
  const locations = [location('=', '/a'), location('', '/'), location('', '/a/'), location('', '/a/b/')];

  it('prefers an exact match', () => {
    expect(selectLocation(locations, '/a')).to.deep.include({ modifier: '=', path: '/a' });
  });

  it('otherwise takes the longest matching prefix', () => {
    expect(selectLocation(locations, '/a/b/c')).to.deep.include({ modifier: '', path: '/a/b/' });
    expect(selectLocation(locations, '/a/x')).to.deep.include({ modifier: '', path: '/a/' });
    expect(selectLocation(locations, '/ab')).to.deep.include({ modifier: '', path: '/' });
  });

  it('matches case-sensitively', () => {
    expect(selectLocation(locations, '/A')).to.deep.include({ modifier: '', path: '/' });
  });

  it('returns undefined when nothing matches', () => {
    expect(selectLocation([location('=', '/a')], '/b')).to.equal(undefined);
  });
});

describe('explainRequest', () => {
  const base = (): KubeObject[] => [
    ingress('web', {
      created: '2025-01-01T00:00:00Z',
      rules: [
        {
          host: 'a.example.com',
          paths: [
            { path: '/api', service: 'api' },
            { path: '/down', service: 'missing' },
            { path: '/idle', service: 'idle' },
          ],
        },
        { host: '*.wild.example.com', paths: [{ path: '/', service: 'api' }] },
      ],
    }),
    service('api'),
    service('idle'),
    endpointSlice('api', { port: 8080, endpoints: [{ address: '10.0.0.2' }, { address: 'fd00::1' }] }),
    endpoints('idle', { port: 8080, ready: [] }),
  ];

  it('proxies to the endpoints of the matching path, bracketing IPv6', () => {
    const e = explain(base(), 'http://a.example.com/api/users');
    expect(e.server).to.deep.equal({ kind: 'exact', host: 'a.example.com' });
    expect(e.location).to.deep.equal({ modifier: '', path: '/api/' });
    expect(e.route).to.deep.include({ path: '/api', pathType: 'Prefix', service: 'api' });
    expect(e.upstream?.name).to.equal('default_api_80');
    expect(e.outcome).to.deep.equal({ kind: 'proxy', endpoints: ['10.0.0.2:8080', '[fd00::1]:8080'] });
  });

  it('serves the bare prefix through its exact location', () => {
    expect(explain(base(), 'http://a.example.com/api').location).to.deep.equal({ modifier: '=', path: '/api' });
  });

  it('answers 404 from the built-in root when no path matches', () => {
    const e = explain(base(), 'http://a.example.com/apix');
    expect(e.location).to.deep.equal({ modifier: '', path: '/' });
    expect(e.route).to.equal(undefined);
    expect(e.outcome).to.deep.equal({ kind: 'status', status: 404 });
    expect(e.reason).to.equal('no Ingress path matches on this server');
  });

  it('answers 404 on the default server for an unknown host', () => {
    const e = explain(base(), 'http://unknown.test/api');
    expect(e.server).to.deep.equal({ kind: 'default', host: '_' });
    expect(e.outcome).to.deep.equal({ kind: 'status', status: 404 });
  });

  it('uses a one-label wildcard server', () => {
    const e = explain(base(), 'http://X.Wild.Example.com/');
    expect(e.server).to.deep.equal({ kind: 'wildcard', host: '*.wild.example.com' });
    expect(e.outcome.kind).to.equal('proxy');
  });

  it('answers 503 when the Service is missing, with its diagnostic', () => {
    const e = explain(base(), 'http://a.example.com/down');
    expect(e.outcome).to.deep.equal({ kind: 'status', status: 503 });
    expect(e.reason).to.equal('the backend Service is unavailable');
    expect(e.diagnostics.map((d) => d.code)).to.include('SERVICE_NOT_FOUND');
    expect(e.diagnostics.every((d) => d.object.name === 'web')).to.equal(true);
  });

  it('answers 503 when the Service has no ready endpoint', () => {
    const e = explain(base(), 'http://a.example.com/idle/x');
    expect(e.upstream?.name).to.equal('default_idle_80');
    expect(e.outcome).to.deep.equal({ kind: 'status', status: 503 });
    expect(e.reason).to.equal('the Service has no ready endpoint');
  });

  describe('on a TLS host', () => {
    const withTls = (): KubeObject[] => {
      const [first, ...rest] = base();
      if (first?.kind !== 'Ingress') throw new Error('base() starts with the Ingress');
      return [{ ...first, tls: [{ hosts: ['a.example.com'], secretName: undefined }] }, ...rest];
    };

    it('redirects plain HTTP to HTTPS with 308', () => {
      const e = explain(withTls(), 'http://a.example.com/api/x');
      expect(e.outcome).to.deep.equal({ kind: 'redirect', status: 308, location: 'https://a.example.com/api/x' });
      expect(e.upstream).to.equal(undefined);
    });

    it('redirects plain HTTP even where the answer would be 404', () => {
      expect(explain(withTls(), 'http://a.example.com/nothing').outcome.kind).to.equal('redirect');
    });

    it('proxies HTTPS', () => {
      expect(explain(withTls(), 'https://a.example.com/api/x').outcome.kind).to.equal('proxy');
    });

    it('does not redirect hosts without TLS', () => {
      expect(explain(withTls(), 'http://b.wild.example.com/').outcome.kind).to.equal('proxy');
    });
  });

  it('answers 404 when a server has no location for the path', () => {
    const model = { ...serversModel([]), defaultServer: { locations: [location('=', '/only')], directives: [] } };
    const e = explainRequest(model, [], parseRequestTarget('http://x.test/other'));
    expect(e.location).to.equal(undefined);
    expect(e.outcome).to.deep.equal({ kind: 'status', status: 404 });
    expect(e.reason).to.equal('no location matches');
  });
});

describe('explainRequest over HTTPS', () => {
  it('sends an HTTPS request for a host without TLS to the default server, as nginx does', () => {
    const { model } = modelOf([ingress('blog', { rules: [{ host: 'blog.test', paths: [{ service: 'web' }] }] })]);
    const explained = explainRequest(model, [], parseRequestTarget('https://blog.test/'));
    expect(explained.server.kind).to.equal('default');
    expect(explained.outcome).to.deep.equal({ kind: 'status', status: 404 });
    expect(explainRequest(model, [], parseRequestTarget('http://blog.test/')).server.kind).to.equal('exact');
  });
});

describe('explainRequest with authentication annotations', () => {
  it('says which checks a request passes before it is proxied', () => {
    const objects: KubeObject[] = [
      ingress('staff', {
        annotations: {
          'nginx.ingress.kubernetes.io/auth-type': 'basic',
          'nginx.ingress.kubernetes.io/auth-secret': 'users',
          'nginx.ingress.kubernetes.io/auth-realm': 'Staff',
          'nginx.ingress.kubernetes.io/auth-url': 'http://10.0.0.9/check',
        },
        rules: [{ host: 'staff.test', paths: [{ service: 'web' }] }],
      }),
      { kind: 'Secret', metadata: { namespace: 'default', name: 'users', creationTimestamp: '', annotations: {}, labels: {} }, type: 'Opaque', data: { auth: 'alice:$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/' } },
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
    ];
    const e = explain(objects, 'http://staff.test/');
    expect(e.outcome.kind).to.equal('proxy');
    expect(e.reason).to.equal('proxied to the Service endpoints once basic authentication (realm "Staff") and the auth-url check let the request through');
  });
});

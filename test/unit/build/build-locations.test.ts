// Unit tests for buildLocations: Kubernetes path matches become nginx exact and prefix locations, in nginx's order.
import { expect } from 'chai';
import { buildLocations } from '../../../src/build/build-locations.js';
import type { HostRoutes, PathRoute } from '../../../src/build/collect-routes.js';
import type { BackendResolution } from '../../../src/build/resolve-backends.js';
import type { Location } from '../../../src/model/nginx-model.js';
import { ingress } from '../../support/objects.js';

/** A route as collectRoutes would make it (prefixes already trimmed); the upstream is named after the service. */
function route(match: 'exact' | 'prefix', path: string, service: string, pathType: PathRoute['pathType'] = match === 'exact' ? 'Exact' : 'Prefix'): PathRoute {
  return {
    ingress: ingress(service, {}),
    field: 'spec.rules[0].http.paths[0]',
    host: 'a.example.com',
    match,
    path,
    pathType,
    backend: { serviceName: service, port: { number: 80 } },
    annotations: {},
  };
}

/** Resolves every service to an upstream of its own name, except `down`, which has none. */
function resolve(r: PathRoute): BackendResolution {
  if (r.backend.serviceName === 'down') return { upstream: undefined, problem: { code: 'SERVICE_NOT_FOUND', severity: 'error', message: 'gone' } };
  return {
    upstream: { name: r.backend.serviceName, service: { kind: 'Service', namespace: 'default', name: r.backend.serviceName }, servicePort: '80', endpoints: [], affinity: 'none' },
    problem: undefined,
  };
}

/** The routes of one host as collectRoutes leaves them: the first route of each match and path stays. */
function hostOf(routes: readonly PathRoute[]): HostRoutes {
  const exact = new Map<string, PathRoute>();
  const prefix = new Map<string, PathRoute>();
  const kept = routes.filter((r) => {
    const taken = r.match === 'exact' ? exact : prefix;
    if (taken.has(r.path)) return false;
    taken.set(r.path, r);
    return true;
  });
  return { routes: kept, exact, prefix, regex: new Map(), canaries: new Map() };
}

function build(routes: readonly PathRoute[], sslRedirect = false): Location[] {
  return buildLocations(hostOf(routes), { hasTls: sslRedirect, sslRedirect, resolve, httpDirectives: [] });
}

/** `= /p → svc` or `/p/ → 404`: one line per location, in output order. */
function lines(locations: readonly Location[]): string[] {
  return locations.map((l) => {
    const target = l.action.kind === 'proxy' ? l.action.upstream : String(l.action.code);
    return `${l.modifier === '=' ? '= ' : ''}${l.path} → ${target}`;
  });
}

describe('buildLocations', () => {
  it('turns Prefix /p into an exact /p and a prefix /p/, so /px never matches', () => {
    expect(lines(build([route('prefix', '/p', 'web')]))).to.deep.equal(['= /p → web', '/ → 404', '/p/ → web']);
  });

  it('turns Prefix / into one prefix location', () => {
    expect(lines(build([route('prefix', '/', 'web')]))).to.deep.equal(['/ → web']);
  });

  it('turns Exact /p into one exact location', () => {
    expect(lines(build([route('exact', '/p', 'web')]))).to.deep.equal(['= /p → web', '/ → 404']);
  });

  it('adds a 404 root without a route when no route serves /', () => {
    const locations = build([route('exact', '/p', 'web')]);
    const root = locations.find((l) => l.modifier === '' && l.path === '/');
    expect(root).to.deep.equal({ modifier: '', path: '/', action: { kind: 'status', code: 404 }, sslRedirect: false, route: undefined, directives: [] });
  });

  it('adds only the 404 root for no routes at all', () => {
    expect(lines(build([]))).to.deep.equal(['/ → 404']);
  });

  it('lets Exact /p beat the exact half of Prefix /p, in either order', () => {
    const exact = route('exact', '/p', 'exact');
    const prefix = route('prefix', '/p', 'prefix');
    for (const routes of [
      [exact, prefix],
      [prefix, exact],
    ]) {
      expect(lines(build(routes))).to.deep.equal(['= /p → exact', '/ → 404', '/p/ → prefix']);
    }
  });

  it('keeps the first of two routes on the same location when neither is Exact', () => {
    const older = route('prefix', '/p', 'older');
    const newer = route('prefix', '/p', 'newer', 'ImplementationSpecific');
    expect(lines(build([older, newer]))).to.deep.equal(['= /p → older', '/ → 404', '/p/ → older']);
  });

  describe('an Exact path ending in "/" (nginx auto_redirect workaround)', () => {
    it('pins the bare path to the longest other prefix that covers it', () => {
      const locations = build([route('exact', '/a/b/', 'exact'), route('prefix', '/a', 'a'), route('prefix', '/', 'root')]);
      expect(lines(locations)).to.deep.equal(['= /a → a', '= /a/b → a', '= /a/b/ → exact', '/ → root', '/a/ → a']);
    });

    it('pins the bare path to the 404 root when nothing else covers it', () => {
      const locations = build([route('exact', '/p/', 'exact')]);
      expect(lines(locations)).to.deep.equal(['= /p → 404', '= /p/ → exact', '/ → 404']);
      expect(locations.find((l) => l.path === '/p')?.route).to.equal(undefined);
    });

    it('keeps the route of the prefix it copies', () => {
      const locations = build([route('exact', '/a/b/', 'exact'), route('prefix', '/a', 'a')]);
      expect(locations.find((l) => l.modifier === '=' && l.path === '/a/b')?.route).to.deep.include({ service: 'a', path: '/a', pathType: 'Prefix' });
    });

    it('does not pin the bare path when a route already names it', () => {
      const locations = build([route('exact', '/p/', 'slash'), route('exact', '/p', 'bare')]);
      expect(lines(locations)).to.deep.equal(['= /p → bare', '= /p/ → slash', '/ → 404']);
    });

    it('does not pin anything for Exact /', () => {
      expect(lines(build([route('exact', '/', 'web')]))).to.deep.equal(['= / → web', '/ → 404']);
    });
  });

  it('sorts exact locations first, then prefixes, each by path in code-unit order', () => {
    const locations = build([route('prefix', '/b', 'b'), route('exact', '/z', 'z'), route('prefix', '/B', 'B'), route('exact', '/a', 'a'), route('prefix', '/', 'root')]);
    expect(lines(locations)).to.deep.equal(['= /B → B', '= /a → a', '= /b → b', '= /z → z', '/ → root', '/B/ → B', '/b/ → b']);
  });

  it('answers 503 for a route whose backend does not resolve', () => {
    expect(lines(build([route('prefix', '/p', 'down')]))).to.deep.equal(['= /p → 503', '/ → 404', '/p/ → 503']);
  });

  it('sets sslRedirect on every location, the 404 root included', () => {
    expect(build([route('prefix', '/p', 'web')], true).map((l) => l.sslRedirect)).to.deep.equal([true, true, true]);
  });

  it('describes the route each location serves', () => {
    const [exactHalf] = build([route('prefix', '/p', 'web')]);
    expect(exactHalf?.route).to.deep.equal({
      ingress: { kind: 'Ingress', namespace: 'default', name: 'web' },
      field: 'spec.rules[0].http.paths[0]',
      host: 'a.example.com',
      path: '/p',
      pathType: 'Prefix',
      isRegex: false,
      service: 'web',
      servicePort: '80',
    });
  });

  it('does not leak its internal bookkeeping into the locations', () => {
    for (const location of build([route('exact', '/p/', 'a'), route('prefix', '/q', 'b')])) {
      expect(Object.keys(location).sort()).to.deep.equal(['action', 'directives', 'modifier', 'path', 'route', 'sslRedirect']);
    }
  });
});

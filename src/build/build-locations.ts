// Step 6 of the build: Kubernetes path matches become nginx locations.
//   Exact /p   → `location = /p`
//   Prefix /   → `location /`
//   Prefix /p  → `location = /p` and `location /p/`: element-wise, so /p matches /p and /p/x but never /px.
// nginx then does what the Ingress spec asks: an exact location beats every prefix, the longest prefix wins.
import type { Location, LocationAction, Route } from '../model/nginx-model.js';
import { compareText } from '../model/diagnostic.js';
import type { PathRoute } from './collect-routes.js';
import type { BackendResolution } from './resolve-backends.js';

export interface LocationOptions {
  readonly sslRedirect: boolean;
  readonly resolve: (route: PathRoute) => BackendResolution;
}

/** The locations of one server, sorted (exact first, then prefixes, each by path), with a 404 root when no route has one. */
export function buildLocations(routes: readonly PathRoute[], options: LocationOptions): Location[] {
  // One map per nginx modifier, keyed by path: a location is found without building a key string.
  const exact = new Map<string, Location>();
  const prefix = new Map<string, Location>();
  /** Exact locations that an Exact rule (not the exact half of a Prefix rule) holds. */
  const fromExactRule = new Set<string>();
  const putExact = (location: Location, isFromExact: boolean): void => {
    // On the same nginx location an Exact rule beats the exact half of a Prefix rule (the spec's tie rule);
    // otherwise routes arrive oldest first and the first one stays.
    if (exact.has(location.path) && (!isFromExact || fromExactRule.has(location.path))) return;
    exact.set(location.path, location);
    if (isFromExact) fromExactRule.add(location.path);
  };
  const putPrefix = (location: Location): void => {
    if (!prefix.has(location.path)) prefix.set(location.path, location);
  };

  const { sslRedirect } = options;
  for (const route of routes) {
    const action = actionOf(options.resolve(route));
    const described = describeRoute(route);
    if (route.match === 'exact') putExact({ modifier: '=', path: route.path, action, sslRedirect, route: described }, true);
    else if (route.path === '/') putPrefix({ modifier: '', path: '/', action, sslRedirect, route: described });
    else {
      putExact({ modifier: '=', path: route.path, action, sslRedirect, route: described }, false);
      putPrefix({ modifier: '', path: `${route.path}/`, action, sslRedirect, route: described });
    }
  }
  if (!prefix.has('/')) putPrefix({ modifier: '', path: '/', action: NOT_FOUND, sslRedirect, route: undefined });
  // nginx answers /p with a 301 to /p/ when a proxied location is named /p/ and none is named /p
  // (auto_redirect). Only an Exact path ending in "/" leaves /p unnamed; pin /p to what would serve it.
  for (const path of fromExactRule) {
    if (!path.endsWith('/') || path === '/') continue;
    const bare = path.slice(0, -1);
    if (!exact.has(bare)) putExact({ ...longestPrefix(prefix.values(), bare), modifier: '=', path: bare }, false);
  }
  return [...exact.values(), ...prefix.values()].sort(compareLocations);
}

/** Exact locations first (`=` sorts after ``), then prefixes, each by path. */
function compareLocations(a: Location, b: Location): number {
  return compareText(b.modifier, a.modifier) || compareText(a.path, b.path);
}

/** The longest prefix location covering `path`; there always is one, the root. */
function longestPrefix(prefixes: Iterable<Location>, path: string): Location {
  let best: Location | undefined;
  for (const l of prefixes) if (path.startsWith(l.path) && (best === undefined || l.path.length > best.path.length)) best = l;
  if (best === undefined) throw new Error(`no prefix location covers ${path}`);
  return best;
}

// Status actions hold no per-location data, so every location shares one object of each.
const NOT_FOUND: LocationAction = Object.freeze({ kind: 'status', code: 404 });
const UNAVAILABLE: LocationAction = Object.freeze({ kind: 'status', code: 503 });

function actionOf(resolution: BackendResolution): LocationAction {
  return resolution.upstream === undefined ? UNAVAILABLE : { kind: 'proxy', upstream: resolution.upstream.name };
}

function describeRoute(route: PathRoute): Route {
  const port = 'number' in route.backend.port ? String(route.backend.port.number) : route.backend.port.name;
  return {
    ingress: { kind: 'Ingress', namespace: route.ingress.metadata.namespace, name: route.ingress.metadata.name },
    field: route.field,
    host: route.host === '' ? undefined : route.host,
    path: route.path,
    pathType: route.pathType,
    service: route.backend.serviceName,
    servicePort: port,
  };
}

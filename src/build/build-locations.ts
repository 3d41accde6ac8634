// Step 6 of the build: Kubernetes path matches become nginx locations.
//   Exact /p   → `location = /p`
//   Prefix /   → `location /`
//   Prefix /p  → `location = /p` and `location /p/`: element-wise, so /p matches /p and /p/x but never /px.
// nginx then does what the Ingress spec asks: an exact location beats every prefix, the longest prefix wins.
import type { Location, LocationAction, Route } from '../model/nginx-model.js';
import { compareText } from '../model/diagnostic.js';
import type { HostRoutes, PathRoute } from './collect-routes.js';
import type { BackendResolution } from './resolve-backends.js';

export interface LocationOptions {
  readonly sslRedirect: boolean;
  readonly resolve: (route: PathRoute) => BackendResolution;
}

/** The locations of one server, sorted (exact first, then prefixes, each by path), with a 404 root when no route has one. */
export function buildLocations(host: HostRoutes, options: LocationOptions): Location[] {
  // collectRoutes left one route per match and path, so every location below is new except where an Exact rule
  // and the exact half of a Prefix rule name the same path; host.exact and host.prefix settle that without a
  // map per server.
  const exact: Location[] = [];
  const prefix: Location[] = [];
  const { sslRedirect } = options;
  for (const route of host.routes) {
    const action = actionOf(options.resolve(route));
    const described = describeRoute(route);
    if (route.match === 'exact') exact.push({ modifier: '=', path: route.path, action, sslRedirect, route: described });
    else if (route.path === '/') prefix.push({ modifier: '', path: '/', action, sslRedirect, route: described });
    else {
      // On the same nginx location an Exact rule beats the exact half of a Prefix rule (the spec's tie rule).
      if (!host.exact.has(route.path)) exact.push({ modifier: '=', path: route.path, action, sslRedirect, route: described });
      prefix.push({ modifier: '', path: `${route.path}/`, action, sslRedirect, route: described });
    }
  }
  if (!host.prefix.has('/')) prefix.push({ modifier: '', path: '/', action: NOT_FOUND, sslRedirect, route: undefined });
  // nginx answers /p with a 301 to /p/ when a proxied location is named /p/ and none is named /p
  // (auto_redirect). Only an Exact path ending in "/" leaves /p unnamed; pin /p to what would serve it.
  for (const path of host.exact.keys()) {
    if (!path.endsWith('/') || path === '/') continue;
    const bare = path.slice(0, -1);
    // Named already by an Exact rule, or by the exact half of a Prefix rule (Prefix / has none).
    if (host.exact.has(bare) || (bare !== '/' && host.prefix.has(bare))) continue;
    exact.push({ ...longestPrefix(prefix, bare), modifier: '=', path: bare });
  }
  return [...exact, ...prefix].sort(compareLocations);
}

/** Exact locations first (`=` sorts after ``), then prefixes, each by path. */
function compareLocations(a: Location, b: Location): number {
  return compareText(b.modifier, a.modifier) || compareText(a.path, b.path);
}

/** The longest prefix location covering `path`; there always is one, the root. */
function longestPrefix(prefixes: readonly Location[], path: string): Location {
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

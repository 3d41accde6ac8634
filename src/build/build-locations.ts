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
  const byKey = new Map<string, Location>();
  const fromExactRule = new Set<string>();
  const put = (location: Location, isFromExact: boolean): void => {
    const key = `${location.modifier} ${location.path}`;
    // On the same nginx location an Exact rule beats the exact half of a Prefix rule (the spec's tie rule);
    // otherwise routes arrive oldest first and the first one stays.
    if (byKey.has(key) && (!isFromExact || fromExactRule.has(key))) return;
    byKey.set(key, location);
    if (isFromExact) fromExactRule.add(key);
  };

  const { sslRedirect } = options;
  for (const route of routes) {
    const action = actionOf(options.resolve(route));
    const described = describeRoute(route);
    if (route.match === 'exact') put({ modifier: '=', path: route.path, action, sslRedirect, route: described }, true);
    else if (route.path === '/') put({ modifier: '', path: '/', action, sslRedirect, route: described }, false);
    else {
      put({ modifier: '=', path: route.path, action, sslRedirect, route: described }, false);
      put({ modifier: '', path: `${route.path}/`, action, sslRedirect, route: described }, false);
    }
  }
  if (!byKey.has(' /')) put({ modifier: '', path: '/', action: { kind: 'status', code: 404 }, sslRedirect, route: undefined }, false);
  // nginx answers /p with a 301 to /p/ when a proxied location is named /p/ and none is named /p
  // (auto_redirect). Only an Exact path ending in "/" leaves /p unnamed; pin /p to what would serve it.
  for (const key of fromExactRule) {
    const location = byKey.get(key);
    const bare = location?.path.slice(0, -1) ?? '';
    if (location !== undefined && location.path.endsWith('/') && bare !== '' && !byKey.has(`= ${bare}`)) {
      put({ ...longestPrefix([...byKey.values()], bare), modifier: '=', path: bare }, false);
    }
  }
  return [...byKey.values()].sort((a, b) => compareText(b.modifier, a.modifier) || compareText(a.path, b.path));
}

function longestPrefix(locations: readonly Location[], path: string): Location {
  const candidates = locations.filter((l) => l.modifier === '' && path.startsWith(l.path));
  return candidates.reduce((best, l) => (l.path.length > best.path.length ? l : best));
}

function actionOf(resolution: BackendResolution): LocationAction {
  return resolution.upstream === undefined ? { kind: 'status', code: 503 } : { kind: 'proxy', upstream: resolution.upstream.name };
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

// Step 6 of the build: Kubernetes path matches become nginx locations.
//   Exact /p   → `location = /p`
//   Prefix /   → `location /`
//   Prefix /p  → `location = /p` and `location /p/`: element-wise, so /p matches /p and /p/x but never /px.
//   regex /p   → `location ~* ^/p` (use-regex or rewrite-target on the Ingress), tried longest first.
// nginx then does what the Ingress spec asks: an exact location beats every prefix, the longest prefix wins.
// On a host with regex paths, prefixes other than `/` are written `^~`, so a regex (tried after the
// prefixes) only ever takes requests from Prefix `/`: other Ingresses' Exact and Prefix paths keep their meaning.
// A route with a canary proxies to a variable that http{} blocks set per request (annotations/modules/canary).
import { createHash } from 'node:crypto';
import { hasNoPolicies, locationDirectives } from '../annotations/apply-annotations.js';
import { selectCanary } from '../annotations/modules/canary.js';
import { noDirectives, type Directive } from '../model/directive.js';
import type { Location, LocationAction, LocationModifier, Route } from '../model/nginx-model.js';
import { compareText } from '../model/diagnostic.js';
import type { HostRoutes, PathRoute } from './collect-routes.js';
import type { BackendResolution } from './resolve-backends.js';

export interface LocationOptions {
  /** The host has a certificate (its own or the default one). */
  readonly hasTls: boolean;
  /** The controller-wide ssl-redirect setting. */
  readonly sslRedirect: boolean;
  readonly resolve: (route: PathRoute) => BackendResolution;
  /** Receives the http{} blocks that choose between a main and a canary backend, per route pair. */
  readonly httpDirectives: Directive[];
}

/** The locations of one server, sorted (exact, prefixes, regexes), with a 404 root when no route has one. */
export function buildLocations(host: HostRoutes, options: LocationOptions): Location[] {
  // collectRoutes left one route per match and path, so every location below is new except where an Exact rule
  // and the exact half of a Prefix rule name the same path; host.exact and host.prefix settle that without a
  // map per server.
  const exact: Location[] = [];
  const prefix: Location[] = [];
  const regexes: Location[] = [];
  const prefixModifier: LocationModifier = host.regex.size > 0 ? '^~' : '';
  for (const route of host.routes) {
    const resolution = options.resolve(route);
    const canary = host.canaries.get(route);
    const action = canary === undefined ? actionOf(resolution) : canaryActionOf(route, canary, options);
    const sslRedirect = redirectsToHttps(route, options);
    const described = describeRoute(route);
    const directives = hasNoPolicies(route.annotations)
      ? noDirectives
      : locationDirectives(route.annotations, { ingress: described.ingress, path: route.path, isRegex: route.match === 'regex', upstream: resolution.upstream?.name, protocol: resolution.upstream?.policy?.protocol ?? 'http', service: described.service, servicePort: described.servicePort });
    // Object literals of one shape rather than spreads of a template: this loop runs once per path.
    if (route.match === 'exact') exact.push({ modifier: '=', path: route.path, action, sslRedirect, route: described, directives });
    else if (route.match === 'regex') regexes.push({ modifier: '~*', path: `^${route.path}`, action, sslRedirect, route: described, directives });
    else if (route.path === '/') prefix.push({ modifier: '', path: '/', action, sslRedirect, route: described, directives });
    else {
      // On the same nginx location an Exact rule beats the exact half of a Prefix rule (the spec's tie rule).
      if (!host.exact.has(route.path)) exact.push({ modifier: '=', path: route.path, action, sslRedirect, route: described, directives });
      prefix.push({ modifier: prefixModifier, path: `${route.path}/`, action, sslRedirect, route: described, directives });
    }
  }
  if (!host.prefix.has('/')) {
    prefix.push({ modifier: '', path: '/', action: NOT_FOUND, sslRedirect: options.hasTls && options.sslRedirect, route: undefined, directives: noDirectives });
  }
  // nginx answers /p with a 301 to /p/ when a proxied location is named /p/ and none is named /p
  // (auto_redirect). Only an Exact path ending in "/" leaves /p unnamed; pin /p to what would serve it.
  for (const path of host.exact.keys()) {
    if (!path.endsWith('/') || path === '/') continue;
    const bare = path.slice(0, -1);
    // Named already by an Exact rule, or by the exact half of a Prefix rule (Prefix / has none).
    if (host.exact.has(bare) || (bare !== '/' && host.prefix.has(bare))) continue;
    exact.push({ ...longestPrefix(prefix, bare), modifier: '=', path: bare });
  }
  // nginx tries regexes in the order written: longest pattern first, as ingress-nginx orders them.
  regexes.sort((a, b) => b.path.length - a.path.length || compareText(a.path, b.path));
  return [...exact.sort(compareLocations), ...prefix.sort(compareLocations), ...regexes];
}

/** ssl-redirect (default: the controller setting) on hosts with TLS; force-ssl-redirect everywhere. */
function redirectsToHttps(route: PathRoute, options: LocationOptions): boolean {
  const policy = route.annotations['ssl-redirect'];
  if (policy?.force === true) return true;
  return options.hasTls && (policy?.redirect ?? options.sslRedirect);
}

function compareLocations(a: Location, b: Location): number {
  return compareText(a.path, b.path);
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

/**
 * The main backend, with the canary when both can answer: a canary Service without ready endpoints leaves
 * every request on the main one (its diagnostic says why), and a policy that can only pick one backend
 * (weight 0 or 100 %, no header, no cookie) needs no variable.
 */
function canaryActionOf(main: PathRoute, canary: PathRoute, options: LocationOptions): LocationAction {
  const mainResolution = options.resolve(main);
  const mainUpstream = mainResolution.upstream;
  const canaryUpstream = options.resolve(canary).upstream;
  const policy = canary.annotations.canary;
  if (policy === undefined || mainUpstream === undefined || mainUpstream.endpoints.length === 0 || canaryUpstream === undefined || canaryUpstream.endpoints.length === 0) {
    return actionOf(mainResolution);
  }
  const selection = selectCanary(policy, canaryId(main), mainUpstream.name, canaryUpstream.name);
  if (selection.kind === 'fixed') return { kind: 'proxy', upstream: selection.upstream };
  options.httpDirectives.push(...selection.directives);
  return { kind: 'proxy', upstream: mainUpstream.name, canary: { upstream: canaryUpstream.name, variable: selection.variable } };
}

/** A short stable name for a route pair's variables: routes are unique per host, match and path. */
function canaryId(route: PathRoute): string {
  return createHash('sha256').update(`${route.host}\n${route.match}\n${route.path}`).digest('hex').slice(0, 16);
}

function describeRoute(route: PathRoute): Route {
  const port = 'number' in route.backend.port ? String(route.backend.port.number) : route.backend.port.name;
  return {
    ingress: { kind: 'Ingress', namespace: route.ingress.metadata.namespace, name: route.ingress.metadata.name },
    field: route.field,
    host: route.host === '' ? undefined : route.host,
    path: route.path,
    pathType: route.pathType,
    isRegex: route.match === 'regex',
    service: route.backend.serviceName,
    servicePort: port,
  };
}

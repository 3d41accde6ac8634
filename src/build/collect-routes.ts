// Step 3 of the build: every (host, path) an Ingress asks for, merged across Ingresses. On a true conflict
// (same host, same match and path) the oldest Ingress keeps the route and the other gets a diagnostic.
// Routes of canary Ingresses never conflict: each attaches to the main route with the same host and path.
import type { AnnotationPolicies } from '../annotations/registry.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { keyOf, refOf, type Ingress, type IngressBackend, type PathType } from '../model/kube.js';

/** One Ingress path, in Kubernetes terms, with the match it means. */
export interface PathRoute {
  readonly ingress: Ingress;
  readonly field: string;
  /** Lower-cased; empty for rules without host (served by the catch-all server). */
  readonly host: string;
  /** `regex` for Prefix and ImplementationSpecific paths of an Ingress with use-regex or rewrite-target. */
  readonly match: 'exact' | 'prefix' | 'regex';
  /** For prefixes, without trailing slashes (`/` stays `/`): `/foo` and `/foo/` mean the same. Regexes as written. */
  readonly path: string;
  readonly pathType: PathType | 'DefaultBackend';
  readonly backend: IngressBackend;
  /** The Ingress's parsed annotations (one object per Ingress). */
  readonly annotations: AnnotationPolicies;
}

export interface RouteTable {
  /** Routes by host; `''` is the catch-all host. */
  readonly byHost: ReadonlyMap<string, HostRoutes>;
  readonly diagnostics: readonly Diagnostic[];
}

/** The routes of one host, without conflicts: no two share a match and a path. */
export interface HostRoutes {
  /** In Ingress age order. */
  readonly routes: readonly PathRoute[];
  /** The route of each Exact path, and of each Prefix path: what buildLocations asks to settle ties. */
  readonly exact: ReadonlyMap<string, PathRoute>;
  readonly prefix: ReadonlyMap<string, PathRoute>;
  readonly regex: ReadonlyMap<string, PathRoute>;
  /** The canary route of each main route that has one (canary annotation). */
  readonly canaries: ReadonlyMap<PathRoute, PathRoute>;
}

/** Whether an Ingress's Prefix and ImplementationSpecific paths are regular expressions. */
export function hasRegexPaths(annotations: AnnotationPolicies): boolean {
  return annotations['use-regex'] === true || annotations['rewrite-target'] !== undefined;
}

/** `ingresses` must be sorted oldest first (compareIngressAge). */
export function collectRoutes(ingresses: readonly Ingress[], annotationsOf: (ingress: Ingress) => AnnotationPolicies): RouteTable {
  // Nested maps (host → match → path) rather than one map of joined keys: no key string per path.
  const byHost = new Map<
    string,
    { routes: PathRoute[]; exact: Map<string, PathRoute>; prefix: Map<string, PathRoute>; regex: Map<string, PathRoute>; canaries: Map<PathRoute, PathRoute> }
  >();
  const diagnostics: Diagnostic[] = [];
  const canaryRoutes: PathRoute[] = [];

  const add = (route: PathRoute): void => {
    if (route.annotations.canary !== undefined) {
      canaryRoutes.push(route);
      return;
    }
    let host = byHost.get(route.host);
    if (host === undefined) byHost.set(route.host, (host = { routes: [], exact: new Map(), prefix: new Map(), regex: new Map(), canaries: new Map() }));
    const taken = route.match === 'exact' ? host.exact : route.match === 'prefix' ? host.prefix : host.regex;
    const winner = taken.get(route.path);
    if (winner !== undefined) {
      // The same default backend declared twice changes nothing: no need to warn.
      const isRepeat = route.pathType === 'DefaultBackend' && isSameService(route, winner);
      if (!isRepeat) diagnostics.push(conflict(route, winner));
      return;
    }
    taken.set(route.path, route);
    host.routes.push(route);
  };

  for (const ingress of ingresses) {
    const annotations = annotationsOf(ingress);
    const isRegex = hasRegexPaths(annotations);
    ingress.rules.forEach((rule, i) => {
      const host = rule.host?.toLowerCase() ?? '';
      rule.paths.forEach((path, j) => {
        const field = `spec.rules[${i}].http.paths[${j}]`;
        if (path.backend === undefined) {
          diagnostics.push({
            severity: 'warning',
            code: 'UNSUPPORTED_BACKEND',
            object: refOf(ingress),
            field: `${field}.backend`,
            message: 'resource backends are not supported; this path is not served',
          });
          return;
        }
        const match = path.pathType === 'Exact' ? 'exact' : isRegex ? 'regex' : 'prefix';
        const written = path.path ?? '/';
        const normalized = match === 'prefix' ? trimTrailingSlashes(written) : written;
        add({ ingress, field, host, match, path: normalized, pathType: path.pathType, backend: path.backend, annotations });
      });
    });
  }
  // Taken before any default backend is added: a second Ingress's default backend must meet the first one
  // (and be reported), not be skipped as if a rule served the root.
  const hostsWithRootRule = new Set<string>();
  for (const [host, routes] of byHost) if (routes.prefix.has('/')) hostsWithRootRule.add(host);
  addDefaultBackends(ingresses, hostsWithRootRule, annotationsOf, add, diagnostics);
  for (const route of canaryRoutes) {
    const host = byHost.get(route.host);
    const main = host === undefined ? undefined : mainRouteOf(route, host);
    if (host === undefined || main === undefined) diagnostics.push(canaryWithoutMain(route));
    else {
      const earlier = host.canaries.get(main);
      if (earlier === undefined) host.canaries.set(main, route);
      else diagnostics.push(canaryConflict(route, earlier));
    }
  }
  return { byHost, diagnostics };
}

/**
 * The main route a canary route joins: same host, same match and path. A canary written without use-regex
 * for a main that has it (or the reverse) still finds it by the path as written.
 */
function mainRouteOf(canary: PathRoute, host: HostRoutes): PathRoute | undefined {
  if (canary.match === 'exact') return host.exact.get(canary.path);
  if (canary.match === 'prefix') return host.prefix.get(canary.path) ?? host.regex.get(canary.path);
  return host.regex.get(canary.path) ?? host.prefix.get(trimTrailingSlashes(canary.path));
}

function canaryWithoutMain(canary: PathRoute): Diagnostic {
  const where = canary.host === '' ? 'rules without host' : `host ${canary.host}`;
  return {
    severity: 'warning',
    code: 'CANARY_WITHOUT_MAIN',
    object: refOf(canary.ingress),
    field: canary.field,
    message: `no Ingress that is not a canary serves path ${canary.path} (${canary.pathType}) on ${where}; this canary path is not used`,
  };
}

function canaryConflict(canary: PathRoute, earlier: PathRoute): Diagnostic {
  const where = canary.host === '' ? 'rules without host' : `host ${canary.host}`;
  const owner = earlier.ingress === canary.ingress ? `an earlier entry of this Ingress (${earlier.field})` : `Ingress ${keyOf(earlier.ingress.metadata)} (older)`;
  return {
    severity: 'warning',
    code: 'CANARY_CONFLICT',
    object: refOf(canary.ingress),
    field: canary.field,
    message: `path ${canary.path} (${canary.pathType}) on ${where} already has a canary, ${owner}; this one is not used`,
  };
}

/**
 * spec.defaultBackend answers what no rule matches: on the catch-all server (the oldest Ingress that has
 * one wins), and on each host of its own rules where no rule serves the root path (as ingress-nginx does).
 */
function addDefaultBackends(
  ingresses: readonly Ingress[],
  hostsWithRootRule: ReadonlySet<string>,
  annotationsOf: (ingress: Ingress) => AnnotationPolicies,
  add: (route: PathRoute) => void,
  diagnostics: Diagnostic[],
): void {
  for (const ingress of ingresses) {
    const backend = ingress.defaultBackend;
    if (backend === undefined) continue;
    if (annotationsOf(ingress).canary !== undefined) {
      diagnostics.push({
        severity: 'warning',
        code: 'UNSUPPORTED_BACKEND',
        object: refOf(ingress),
        field: 'spec.defaultBackend',
        message: 'the default backend of a canary Ingress is not used: only its rules attach to the main Ingress\'s paths',
      });
      continue;
    }
    const hosts = new Set(['', ...ingress.rules.map((rule) => rule.host?.toLowerCase() ?? '')]);
    for (const host of hosts) {
      if (!hostsWithRootRule.has(host)) {
        add({ ingress, field: 'spec.defaultBackend', host, match: 'prefix', path: '/', pathType: 'DefaultBackend', backend, annotations: annotationsOf(ingress) });
      }
    }
  }
}

function conflict(loser: PathRoute, winner: PathRoute): Diagnostic {
  const where = loser.host === '' ? 'rules without host' : `host ${loser.host}`;
  const what = loser.pathType === 'DefaultBackend' ? 'the default backend' : `path ${loser.path} (${loser.pathType})`;
  const owner =
    winner.ingress === loser.ingress ? `an earlier entry of this Ingress (${winner.field})` : `Ingress ${keyOf(winner.ingress.metadata)} (older)`;
  return {
    severity: 'warning',
    code: loser.pathType === 'DefaultBackend' ? 'DEFAULT_BACKEND_CONFLICT' : 'PATH_CONFLICT',
    object: refOf(loser.ingress),
    field: loser.field,
    message: `${what} on ${where} is already served by ${owner}; this one is ignored`,
  };
}

function isSameService(a: PathRoute, b: PathRoute): boolean {
  return (
    a.ingress.metadata.namespace === b.ingress.metadata.namespace &&
    a.backend.serviceName === b.backend.serviceName &&
    JSON.stringify(a.backend.port) === JSON.stringify(b.backend.port)
  );
}

function trimTrailingSlashes(path: string): string {
  // Most paths have no trailing slash: keep the string as it is rather than run a replace on it.
  if (!path.endsWith('/')) return path;
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

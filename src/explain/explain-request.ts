// explain: which server and location of the model answer a URL, and why, using nginx's own selection
// rules (exact server name, then one-label wildcard, then the default server; exact location, then the
// longest prefix). Pure, so it is also the oracle the routing tests compare real nginx against.
import type { Diagnostic } from '../model/diagnostic.js';
import type { Location, LocationModifier, NginxModel, Upstream, VirtualServer } from '../model/nginx-model.js';

export interface RequestTarget {
  readonly scheme: 'http' | 'https';
  /** Lower-cased, without port. */
  readonly host: string;
  /** Decoded, as nginx matches it. */
  readonly path: string;
  /** Path and query as sent (nginx's $request_uri). */
  readonly uri: string;
}

export interface Explanation {
  readonly request: RequestTarget;
  readonly server: { readonly kind: 'exact' | 'wildcard' | 'default'; readonly host: string };
  readonly location: { readonly modifier: LocationModifier; readonly path: string } | undefined;
  readonly route: Location['route'];
  readonly upstream: Upstream | undefined;
  readonly outcome:
    | { readonly kind: 'proxy'; readonly endpoints: readonly string[] }
    | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
    | { readonly kind: 'status'; readonly status: number };
  readonly reason: string;
  /** Diagnostics about the Ingress path that serves the request. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses a URL as a client would send it; throws on anything that is not an http(s) URL. */
export function parseRequestTarget(url: string): RequestTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
  const path = decodeURIComponent(parsed.pathname).replace(/\/{2,}/g, '/');
  // nginx drops one trailing dot of the Host before it picks a server.
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  return { scheme: parsed.protocol === 'https:' ? 'https' : 'http', host, path, uri: `${parsed.pathname}${parsed.search}` };
}

/** Only hosts with TLS listen on the HTTPS port; an HTTPS request for any other host reaches the default server. */
export function selectServer(
  model: NginxModel,
  host: string,
  scheme: RequestTarget['scheme'] = 'http',
): { kind: 'exact' | 'wildcard' | 'default'; server: VirtualServer | undefined } {
  const listens = (server: VirtualServer): boolean => scheme === 'http' || server.tls !== undefined;
  const exact = model.servers.find((s) => s.host === host);
  if (exact !== undefined) return listens(exact) ? { kind: 'exact', server: exact } : { kind: 'default', server: undefined };
  const dot = host.indexOf('.');
  if (dot > 0) {
    const wildcard = model.servers.find((s) => s.host === `*${host.slice(dot)}`);
    if (wildcard !== undefined && listens(wildcard)) return { kind: 'wildcard', server: wildcard };
  }
  return { kind: 'default', server: undefined };
}

/** nginx's order: an exact match; else the longest prefix if it is `^~`; else the first regex that matches; else the longest prefix. */
export function selectLocation(locations: readonly Location[], path: string): Location | undefined {
  const exact = locations.find((l) => l.modifier === '=' && l.path === path);
  if (exact !== undefined) return exact;
  let best: Location | undefined;
  for (const location of locations) {
    const isPrefix = location.modifier === '' || location.modifier === '^~';
    if (isPrefix && path.startsWith(location.path) && (best === undefined || location.path.length > best.path.length)) {
      best = location;
    }
  }
  if (best?.modifier === '^~') return best;
  return locations.find((l) => l.modifier === '~*' && new RegExp(l.path, 'i').test(path)) ?? best;
}

export function explainRequest(model: NginxModel, diagnostics: readonly Diagnostic[], request: RequestTarget): Explanation {
  const selected = selectServer(model, request.host, request.scheme);
  const locations = selected.server?.locations ?? model.defaultServer.locations;
  const location = selectLocation(locations, request.path);
  const route = location?.route;
  // What was said about the path that answers (or its whole Ingress), not about the Ingress's other paths.
  const related =
    route === undefined
      ? []
      : diagnostics.filter(
          (d) =>
            d.object.kind === 'Ingress' &&
            d.object.namespace === route.ingress.namespace &&
            d.object.name === route.ingress.name &&
            (d.field === '' || d.field.startsWith(route.field)),
        );
  const base = {
    request,
    server: { kind: selected.kind, host: selected.server?.host ?? '_' },
    location: location === undefined ? undefined : { modifier: location.modifier, path: location.path },
    route,
    diagnostics: related,
  };
  if (location === undefined) return { ...base, upstream: undefined, outcome: { kind: 'status', status: 404 }, reason: 'no location matches' };
  if (location.sslRedirect && request.scheme === 'http') {
    return {
      ...base,
      upstream: undefined,
      // The real Location also carries the HTTPS port when it is not 443; the model does not know it.
      outcome: { kind: 'redirect', status: 308, location: `https://${request.host}${request.uri}` },
      reason: 'the host has TLS, so plain HTTP is redirected to HTTPS',
    };
  }
  const answered = answerOfDirectives(location, request);
  if (answered !== undefined) return { ...base, upstream: undefined, ...answered };
  const action = location.action;
  if (action.kind === 'status') {
    const reason = action.code === 404 ? 'no Ingress path matches on this server' : 'the backend Service is unavailable';
    return { ...base, upstream: undefined, outcome: { kind: 'status', status: action.code }, reason };
  }
  const upstream = model.upstreams.find((u) => u.name === action.upstream);
  const endpoints = (upstream?.endpoints ?? []).map((e) => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`));
  if (endpoints.length === 0) {
    return { ...base, upstream, outcome: { kind: 'status', status: 503 }, reason: 'the Service has no ready endpoint' };
  }
  const guards = authenticationOf(location);
  const proxied = guards.length === 0 ? 'proxied to the Service endpoints' : `proxied to the Service endpoints once ${guards.join(' and ')} let the request through`;
  // Which of a canary pair answers is decided per request (header, cookie, random weight): say both.
  const canary = action.canary === undefined ? '' : `, or to the canary upstream ${action.canary.upstream} when the canary annotations pick it (header, then cookie, then weight)`;
  return { ...base, upstream, outcome: { kind: 'proxy', endpoints }, reason: `${proxied}${canary}` };
}

/** What the location's authentication annotations ask before proxying (basic-auth, external-auth). */
function authenticationOf(location: Location): string[] {
  const guards: string[] = [];
  for (const d of location.directives) {
    const [first] = d.args;
    if (d.name === 'auth_basic') guards.push(`basic authentication${first !== undefined && 'text' in first ? ` (realm "${first.text}")` : ''}`);
    if (d.name === 'auth_request') guards.push('the auth-url check');
  }
  return guards;
}

/** A `return` an annotation put in the location (redirects, app-root twins): it answers before any proxying. */
function answerOfDirectives(location: Location, request: RequestTarget): Pick<Explanation, 'outcome' | 'reason'> | undefined {
  const answer = location.directives.find((d) => d.name === 'return' && d.block === undefined);
  const [code, target] = answer?.args ?? [];
  if (code?.kind !== 'keyword') return undefined;
  const status = Number(code.text);
  const reason = 'an annotation of the Ingress answers instead of the backend';
  if (target === undefined || !('text' in target)) return { outcome: { kind: 'status', status }, reason };
  const expanded = target.text
    .replaceAll('$request_uri', request.uri)
    .replaceAll('$scheme', request.scheme)
    .replaceAll('$http_host', request.host)
    .replaceAll('$host', request.host);
  return { outcome: { kind: 'redirect', status, location: expanded }, reason };
}

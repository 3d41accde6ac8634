// Step 6b of the build: the named locations custom-http-errors sends error statuses to (`error_page 404 =
// @…`), one per (Ingress, Service port, status) on a host, each asking the default-backend annotation's
// Service with ingress-nginx's headers. nginx allows named locations only at server level, so they are
// locations of the server, never inside the path's location.
import { directive, expansion, keyword, literal, regex, variable, type Directive } from '../model/directive.js';
import { compareText } from '../model/diagnostic.js';
import { refOf } from '../model/kube.js';
import { errorLocationName, type Location } from '../model/nginx-model.js';
import type { PathRoute } from './collect-routes.js';
import type { BackendResolution } from './resolve-backends.js';

/** `resolveDefaultBackend`: the upstream of the route's Ingress's default-backend annotation. */
export function buildErrorLocations(routes: readonly PathRoute[], resolveDefaultBackend: (route: PathRoute) => BackendResolution): Location[] {
  const found: Location[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    const statuses = route.annotations['custom-http-errors'];
    if (statuses === undefined) continue;
    const ingress = refOf(route.ingress);
    const service = route.backend.serviceName;
    const servicePort = 'number' in route.backend.port ? String(route.backend.port.number) : route.backend.port.name;
    for (const status of statuses) {
      const name = errorLocationName(ingress, service, servicePort, status);
      if (seen.has(name)) continue;
      seen.add(name);
      const upstream = resolveDefaultBackend(route).upstream;
      const headers: Directive[] = [
        directive('proxy_set_header', keyword('X-Code'), literal(String(status))),
        directive('proxy_set_header', keyword('X-Format'), variable('http_accept')),
        directive('proxy_set_header', keyword('X-Original-URI'), variable('request_uri')),
        directive('proxy_set_header', keyword('X-Namespace'), literal(ingress.namespace)),
        directive('proxy_set_header', keyword('X-Ingress-Name'), literal(ingress.name)),
        directive('proxy_set_header', keyword('X-Service-Name'), literal(service)),
        directive('proxy_set_header', keyword('X-Service-Port'), literal(servicePort)),
        // The error backend is asked for `/`, as ingress-nginx does; the request's URI is in X-Original-URI.
        directive('rewrite', regex('^'), expansion('/'), keyword('break')),
      ];
      found.push({
        modifier: '@',
        path: name,
        action: upstream !== undefined && upstream.endpoints.length > 0 ? { kind: 'proxy', upstream: upstream.name } : { kind: 'status', code: 503 },
        directives: headers,
        sslRedirect: false,
        route: undefined,
      });
    }
  }
  return found.sort((a, b) => compareText(a.path, b.path));
}

// Request routing of the fake API server: which resource, namespace, object and verb a method and URL address.
import { findByPath, type ResourceType } from './resources.js';

/** What the server did with a request, as far as assertions care. */
export type RequestVerb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';

/** What a request URL addresses. */
export interface Route {
  readonly resource: ResourceType;
  /** Undefined for cluster-wide collections and cluster-scoped objects. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly isStatus: boolean;
}

/**
 * Reads /api/v1/... and /apis/GROUP/VERSION/... paths: collections (cluster-wide or in a namespace), objects
 * and their /status. Undefined for anything the server does not serve.
 */
export function parseRoute(pathname: string): Route | undefined {
  const segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const resource = findByPath(group, version, plural);
  if (resource === undefined) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  if (namespace === undefined && resource.namespaced && name !== undefined) return undefined;
  if (subresource !== undefined && (subresource !== 'status' || !resource.hasStatus)) return undefined;
  return { resource, namespace, name, isStatus: subresource === 'status' };
}

/** The verb a method means on a route; undefined for one the server refuses with 405. */
export function verbOf(method: string, route: Route, query: URLSearchParams): RequestVerb | undefined {
  if (route.name === undefined) {
    if (method === 'GET') return query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    if (method === 'POST' && (route.namespace !== undefined || !route.resource.namespaced)) return 'create';
    return undefined;
  }
  switch (method) {
    case 'GET': return 'get';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return route.isStatus ? undefined : 'delete';
    default: return undefined;
  }
}

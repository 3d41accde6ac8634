// metav1.Status bodies, the shape every real API server failure (and a 410 watch ERROR event) carries.
import { STATUS_CODES } from 'node:http';
import { qualifiedNameOf, type ResourceType } from './resources.js';

/** A metav1.Status failure body. */
export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string };
  readonly code: number;
}

/** A request failure that the router turns into an HTTP status with a Status body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: StatusBody['details'] = undefined,
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    return this.details === undefined ? body : { ...body, details: this.details };
  }
}

/** The reason the real server gives for a bare HTTP status (used by `failNext`). */
export function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return STATUS_CODES[code]?.replace(/\s+/g, '') ?? 'Unknown';
  }
}

function detailsFor(resource: ResourceType, name: string): NonNullable<StatusBody['details']> {
  return { name, group: resource.group, kind: resource.plural };
}

export function notFound(resource: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedNameOf(resource)} "${name}" not found`, detailsFor(resource, name));
}

export function alreadyExists(resource: ResourceType, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedNameOf(resource)} "${name}" already exists`, detailsFor(resource, name));
}

/** The optimistic-concurrency failure: the update named a resourceVersion that is no longer current. */
export function conflict(resource: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedNameOf(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsFor(resource, name),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function invalid(resource: ResourceType, name: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `${resource.kind} "${name}" is invalid: ${message}`, detailsFor(resource, name));
}

/** What a watch or list from a compacted resourceVersion gets. */
export function expired(requested: number, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

export function failure(code: number): ApiError {
  return new ApiError(code, reasonForCode(code), `injected failure (${code} ${STATUS_CODES[code] ?? ''})`.trimEnd());
}

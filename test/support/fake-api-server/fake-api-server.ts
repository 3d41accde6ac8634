// A loopback Kubernetes API server for tests: the real list/watch protocol over HTTP, with switches for the faults a controller must survive.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseRoute, verbOf, type RequestVerb, type Route } from './api-route.js';
import { ApiError, badRequest, failure, notFound, type StatusBody } from './api-status.js';
import { ClusterState, metadataOf, resourceVersionOf, type UpdateScope } from './cluster-state.js';
import { renderKubeconfig } from './kubeconfig.js';
import { applyPatch, isObject, patchTypeOf, type JsonObject, type JsonValue } from './patch.js';
import {
  apiVersionOf,
  findById,
  findByApiVersionAndKind,
  findByKind,
  type FakeKind,
  type FakeResource,
  type ResourceType,
} from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { isInScope, WatchStream, type WatchScope } from './watch-stream.js';

export type { RequestVerb } from './api-route.js';
export type { FakeKind, FakeResource } from './resources.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  /** The parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
  /** Undefined for a path the server does not serve. */
  readonly resource: FakeResource | undefined;
  readonly verb: RequestVerb | undefined;
  /** True when the request addressed the /status subresource. */
  readonly isStatus: boolean;
  /** The HTTP status answered; 0 while the answer is still pending (a slowed list). */
  readonly status: number;
}

/**
 * How a watch from a compacted resourceVersion learns it is too old. The real server answers 200 and sends one
 * ERROR event carrying a Status with code 410 (reason Expired) before closing; some proxies and older servers
 * answer the watch request itself with HTTP 410.
 */
export type ExpiredWatchResponse = 'error-event' | 'http-status';

/** The objects `get`, `list` and `apply` return: what the server stores, with kind and apiVersion. */
export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: FakeObjectMeta;
  [field: string]: unknown;
}

export interface FakeObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Anything shaped like a Kubernetes object: a literal or a client-node `V1*` instance. */
export interface ObjectInput {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata?: { name?: string | undefined; namespace?: string | undefined } | undefined;
}

export interface FakeApiServerOptions {
  /**
   * Server-side limit for watches whose request sets no `timeoutSeconds`; undefined keeps them open until closed.
   * (The real server picks 30-60 minutes.)
   */
  readonly watchTimeoutSeconds?: number;
  /** Clock for creationTimestamp; the wall clock by default. */
  readonly now?: () => Date;
}

export interface FailNextOptions {
  /** Which request kind the failure answers; by default whichever of a list or a watch comes first. */
  readonly verb?: 'list' | 'watch' | 'list-or-watch';
  /** How many consecutive matching requests fail (1 by default). */
  readonly times?: number;
}

export interface FakeApiServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every request served, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** The current global resourceVersion (what a list would answer now). */
  readonly resourceVersion: string;
  /** YAML text of a kubeconfig for this server (token auth, plain HTTP, namespace `default`). */
  kubeconfig(): string;
  /** Writes `kubeconfig()` to `<dir>/kubeconfig` and returns that path. */
  writeKubeconfig(dir: string): Promise<string>;
  /**
   * Creates or wholly replaces an object (status included; creationTimestamp kept when given), bumps the global
   * resourceVersion and emits ADDED or MODIFIED to watches. A write that changes nothing emits nothing.
   */
  apply<T extends ObjectInput>(object: T): FakeObject;
  /** Deletes an object and emits DELETED; false when it did not exist. Use '' as namespace for cluster-scoped kinds. */
  delete(kind: FakeKind, namespace: string, name: string): boolean;
  get(kind: FakeKind, namespace: string, name: string): FakeObject | undefined;
  list(kind: FakeKind, namespace?: string): FakeObject[];
  /** Number of watch streams open now. */
  openWatches(resource?: FakeResource): number;
  /**
   * Ends open watch streams: cleanly (the chunked response's last chunk, what the server's own timeout does) or,
   * with `reset`, by dropping the TCP connection mid-response. Events held by a stall are dropped. Returns the count.
   */
  closeWatches(resource?: FakeResource, options?: { readonly reset?: boolean }): number;
  /**
   * Stops writing anything (events, bookmarks) to the watch streams open now, keeping their connections open, for
   * `ms` (Infinity until `resumeWatches`); what was held is then sent. New watches are not affected. Returns the count.
   */
  stallWatches(resource: FakeResource | undefined, ms: number): number;
  resumeWatches(resource?: FakeResource): void;
  /**
   * Compacts the history: later watches from any resourceVersion older than the current one, and list `continue`
   * tokens issued so far, get 410 Expired, delivered as `as` says (default 'error-event'). Open watches go on.
   */
  expireHistory(options?: { readonly as?: ExpiredWatchResponse }): void;
  /** Sends a BOOKMARK at the current resourceVersion to the open watches that asked for them (allowWatchBookmarks). */
  sendBookmarks(resource?: FakeResource): number;
  /** Makes the next list and/or watch of `resource` answer HTTP `status` with a Status body. */
  failNext(resource: FakeResource, status: number, options?: FailNextOptions): void;
  /** Answers lists (of `resource`, or all) `ms` late; the list is taken when the request arrives. 0 turns it off. */
  slowLists(ms: number, resource?: FakeResource): void;
  /** Resolves with the first recorded request (past or future) that `predicate` accepts; rejects after `timeoutMs`. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Ends every stream and connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a fake API server on 127.0.0.1 and an OS-chosen port. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const server = new FakeApiServerImpl(options);
  await server.listen();
  return server;
}

type MutableRecordedRequest = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

interface PendingFailure {
  readonly resource: FakeResource;
  readonly status: number;
  readonly verb: 'list' | 'watch' | 'list-or-watch';
  remaining: number;
}

interface ContinueSnapshot {
  readonly resourceVersion: number;
  readonly items: readonly JsonObject[];
}

interface RequestWaiter {
  readonly predicate: (request: RecordedRequest) => boolean;
  readonly resolve: (request: RecordedRequest) => void;
}

class FakeApiServerImpl implements FakeApiServer {
  readonly requests: MutableRecordedRequest[] = [];
  private readonly http: Server;
  private readonly state: ClusterState;
  private readonly watches = new Set<WatchStream>();
  private readonly failures: PendingFailure[] = [];
  private readonly snapshots = new Map<string, ContinueSnapshot>();
  private readonly waiters = new Set<RequestWaiter>();
  private expiredWatchResponse: ExpiredWatchResponse = 'error-event';
  private listDelay: { ms: number; resource: FakeResource | undefined } = { ms: 0, resource: undefined };
  private port = 0;

  constructor(private readonly options: FakeApiServerOptions) {
    this.state = new ClusterState(options.now ?? (() => new Date()));
    this.state.onChange((change) => {
      for (const stream of this.watches) stream.offer(change);
    });
    this.http = createServer((request, response) => void this.handle(request, response));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get resourceVersion(): string {
    return String(this.state.resourceVersion);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    this.port = (this.http.address() as AddressInfo).port;
  }

  kubeconfig(): string {
    return renderKubeconfig(this.url);
  }

  async writeKubeconfig(dir: string): Promise<string> {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, this.kubeconfig(), { mode: 0o600 });
    return path;
  }

  apply<T extends ObjectInput>(object: T): FakeObject {
    const input = JSON.parse(JSON.stringify(object)) as JsonObject;
    const apiVersion = String(input['apiVersion'] ?? '');
    const kind = String(input['kind'] ?? '');
    const resource = findByApiVersionAndKind(apiVersion, kind);
    if (resource === undefined) throw new Error(`fake API server does not serve ${apiVersion} ${kind}`);
    const meta = metadataOf(input);
    const exists = this.state.get(resource, String(meta['namespace'] ?? 'default'), String(meta['name'] ?? '')) !== undefined;
    const stored = exists ? this.state.update(resource, input, 'all', undefined) : this.state.create(resource, input, { keepTimestamps: true });
    return stored as unknown as FakeObject;
  }

  delete(kind: FakeKind, namespace: string, name: string): boolean {
    const resource = findByKind(kind);
    if (this.state.get(resource, namespace, name) === undefined) return false;
    this.state.remove(resource, namespace, name);
    return true;
  }

  get(kind: FakeKind, namespace: string, name: string): FakeObject | undefined {
    return this.state.get(findByKind(kind), namespace, name) as unknown as FakeObject | undefined;
  }

  list(kind: FakeKind, namespace?: string): FakeObject[] {
    return this.state.list(findByKind(kind), namespace) as unknown as FakeObject[];
  }

  openWatches(resource?: FakeResource): number {
    return this.streamsOf(resource).length;
  }

  closeWatches(resource?: FakeResource, options: { readonly reset?: boolean } = {}): number {
    const streams = this.streamsOf(resource);
    for (const stream of streams) {
      if (options.reset === true) stream.reset();
      else stream.end();
    }
    return streams.length;
  }

  stallWatches(resource: FakeResource | undefined, ms: number): number {
    const streams = this.streamsOf(resource);
    for (const stream of streams) stream.stall(ms);
    return streams.length;
  }

  resumeWatches(resource?: FakeResource): void {
    for (const stream of this.streamsOf(resource)) stream.resume();
  }

  expireHistory(options: { readonly as?: ExpiredWatchResponse } = {}): void {
    this.expiredWatchResponse = options.as ?? 'error-event';
    this.state.compact();
    this.snapshots.clear();
  }

  sendBookmarks(resource?: FakeResource): number {
    const streams = this.streamsOf(resource).filter((stream) => stream.allowBookmarks);
    for (const stream of streams) stream.bookmark(this.state.resourceVersion);
    return streams.length;
  }

  failNext(resource: FakeResource, status: number, options: FailNextOptions = {}): void {
    findById(resource);
    this.failures.push({ resource, status, verb: options.verb ?? 'list-or-watch', remaining: options.times ?? 1 });
  }

  slowLists(ms: number, resource?: FakeResource): void {
    this.listDelay = { ms, resource };
  }

  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    const found = this.requests.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: RequestWaiter = {
        predicate,
        resolve: (request) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(request);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching request within ${timeoutMs} ms; saw: ${this.requests.map(describeRequest).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    for (const stream of [...this.watches]) stream.end();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private streamsOf(resource: FakeResource | undefined): WatchStream[] {
    return [...this.watches].filter((stream) => stream.isOpen && (resource === undefined || stream.scope.resource.id === resource));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const route = parseRoute(url.pathname);
    const record: MutableRecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers['content-type'],
      body: undefined,
      resource: route?.resource.id,
      verb: route === undefined ? undefined : verbOf(request.method ?? 'GET', route, url.searchParams),
      isStatus: route?.isStatus ?? false,
      status: 0,
    };
    try {
      const text = await readBody(request);
      const body = text === '' ? undefined : parseJson(text);
      record.body = body instanceof ApiError ? text : body;
      this.record(record);
      if (body instanceof ApiError) throw body;
      if (route === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      await this.serve(route, record, response);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error));
      this.send(response, record, apiError.code, apiError.toStatus());
    }
  }

  private record(request: MutableRecordedRequest): void {
    this.requests.push(request);
    // Notify after the current turn, so a watch is registered before a waiter acts on its request.
    setImmediate(() => {
      for (const waiter of [...this.waiters]) if (waiter.predicate(request)) waiter.resolve(request);
    });
  }

  private async serve(route: Route, record: MutableRecordedRequest, response: ServerResponse): Promise<void> {
    const query = new URLSearchParams(record.query);
    switch (record.verb) {
      case 'list': return this.serveList(route, query, record, response);
      case 'watch': return this.serveWatch(route, query, record, response);
      case 'get': return this.send(response, record, 200, this.getOrThrow(route));
      case 'create': return this.send(response, record, 201, this.create(route, record.body));
      case 'update': return this.send(response, record, 200, this.update(route, record.body));
      case 'patch': return this.send(response, record, 200, this.patch(route, record.body, record.contentType));
      case 'delete': return this.send(response, record, 200, this.remove(route, record.body));
      case undefined: throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private async serveList(route: Route, query: URLSearchParams, record: MutableRecordedRequest, response: ServerResponse): Promise<void> {
    this.throwInjectedFailure(route.resource, 'list');
    const body = this.listPage(route, query);
    const delay = this.listDelay;
    if (delay.ms > 0 && (delay.resource === undefined || delay.resource === route.resource.id)) {
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
    }
    this.send(response, record, 200, body);
  }

  /** One page of a list: the whole list, or with `limit` a page plus a `continue` token for a consistent snapshot. */
  private listPage(route: Route, query: URLSearchParams): JsonObject {
    const { resource } = route;
    const limit = parseCount(query.get('limit'), 'limit');
    const token = query.get('continue') ?? '';
    let snapshot: ContinueSnapshot;
    let offset = 0;
    if (token !== '') {
      const decoded = decodeContinue(token);
      const found = this.snapshots.get(decoded.id);
      if (found === undefined) {
        throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      snapshot = found;
      offset = decoded.offset;
    } else {
      const scope = scopeOf(route, query);
      snapshot = { resourceVersion: this.state.resourceVersion, items: this.state.list(resource, route.namespace).filter((object) => isInScope(scope, object)) };
    }
    const end = limit > 0 ? Math.min(offset + limit, snapshot.items.length) : snapshot.items.length;
    const metadata: JsonObject = { resourceVersion: String(snapshot.resourceVersion) };
    if (end < snapshot.items.length) {
      const id = token === '' ? randomBytes(8).toString('hex') : decodeContinue(token).id;
      this.snapshots.set(id, snapshot);
      metadata['continue'] = Buffer.from(JSON.stringify({ id, offset: end })).toString('base64url');
      metadata['remainingItemCount'] = snapshot.items.length - end;
    }
    return {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata,
      // List items carry no kind/apiVersion: the real server leaves them to the list's own.
      items: snapshot.items.slice(offset, end).map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest),
    };
  }

  private serveWatch(route: Route, query: URLSearchParams, record: MutableRecordedRequest, response: ServerResponse): void {
    this.throwInjectedFailure(route.resource, 'watch');
    const scope = scopeOf(route, query);
    const requested = query.get('resourceVersion') ?? '';
    const timeoutSeconds = query.has('timeoutSeconds') ? parseCount(query.get('timeoutSeconds'), 'timeoutSeconds') : this.options.watchTimeoutSeconds;
    const stream = new WatchStream(scope, query.get('allowWatchBookmarks') === 'true', response, (ended) => this.watches.delete(ended));
    if (requested === '' || requested === '0') {
      // "Get state and start at most recent": synthetic ADDED events for what exists, then live changes.
      this.openStream(stream, record, timeoutSeconds);
      stream.sendAdded(this.state.list(route.resource, route.namespace));
      return;
    }
    const from = Number(requested);
    if (!Number.isSafeInteger(from) || from < 0) throw badRequest(`invalid resource version: ${requested}`);
    let changes;
    try {
      changes = this.state.changesSince(from);
    } catch (error) {
      if (!(error instanceof ApiError) || this.expiredWatchResponse === 'http-status') throw error;
      this.openStream(stream, record, timeoutSeconds);
      stream.sendErrorAndEnd(error.toStatus());
      return;
    }
    this.openStream(stream, record, timeoutSeconds);
    for (const change of changes) stream.offer(change);
  }

  private openStream(stream: WatchStream, record: MutableRecordedRequest, timeoutSeconds: number | undefined): void {
    record.status = 200;
    this.watches.add(stream);
    stream.open(timeoutSeconds === undefined || timeoutSeconds === 0 ? undefined : timeoutSeconds * 1000);
  }

  private throwInjectedFailure(resource: ResourceType, verb: 'list' | 'watch'): void {
    const index = this.failures.findIndex((f) => f.resource === resource.id && (f.verb === verb || f.verb === 'list-or-watch'));
    const pending = this.failures[index];
    if (pending === undefined) return;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.failures.splice(index, 1);
    throw failure(pending.status);
  }

  private getOrThrow(route: Route): JsonObject {
    const found = this.state.get(route.resource, route.namespace ?? '', route.name ?? '');
    if (found === undefined) throw notFound(route.resource, route.name ?? '');
    return found;
  }

  private create(route: Route, body: unknown): JsonObject {
    const object = requireObject(body);
    const meta = { ...metadataOf(object) };
    if (route.namespace !== undefined) {
      if (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' && meta['namespace'] !== route.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta['namespace'] = route.namespace;
    }
    if ((meta['name'] === undefined || meta['name'] === '') && typeof meta['generateName'] === 'string') {
      meta['name'] = `${meta['generateName']}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const input: JsonObject = { ...object, metadata: meta };
    // Create resets status for types with a status subresource (Ingress, Service), as their strategies do.
    if (route.resource.hasStatus) input['status'] = {};
    return this.state.create(route.resource, input, { keepTimestamps: false });
  }

  private update(route: Route, body: unknown): JsonObject {
    const object = this.withRouteIdentity(route, requireObject(body));
    const expected = resourceVersionOf(object);
    return this.state.update(route.resource, object, scopeFor(route), expected === '' ? undefined : expected);
  }

  private patch(route: Route, body: unknown, contentType: string | undefined): JsonObject {
    const type = patchTypeOf(contentType);
    const current = this.getOrThrow(route);
    const patched = this.withRouteIdentity(route, applyPatch(current, body, type));
    // A patch that sets metadata.resourceVersion makes it a precondition, as with the real server.
    return this.state.update(route.resource, patched, scopeFor(route), resourceVersionOf(patched));
  }

  private remove(route: Route, body: unknown): JsonObject {
    const preconditions = isObject(body as JsonValue) ? (body as JsonObject)['preconditions'] : undefined;
    const expected = isObject(preconditions) && typeof preconditions['resourceVersion'] === 'string' ? preconditions['resourceVersion'] : undefined;
    const deleted = this.state.remove(route.resource, route.namespace ?? '', route.name ?? '', expected);
    // Built-in types answer a delete with a Success Status rather than the object.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: route.name ?? '', group: route.resource.group, kind: route.resource.plural, uid: metadataOf(deleted)['uid'] ?? '' },
    };
  }

  /** The URL names the object: a body naming another is refused, a missing namespace is taken from the URL. */
  private withRouteIdentity(route: Route, object: JsonObject): JsonObject {
    const meta = { ...metadataOf(object) };
    if (meta['name'] !== undefined && meta['name'] !== route.name) {
      throw badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${route.name ?? ''})`);
    }
    meta['name'] = route.name ?? '';
    if (route.namespace !== undefined) meta['namespace'] = route.namespace;
    return { ...object, metadata: meta };
  }

  private send(response: ServerResponse, record: MutableRecordedRequest, status: number, body: JsonObject | StatusBody): void {
    record.status = status;
    if (response.headersSent || response.destroyed) {
      response.end();
      return;
    }
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

function scopeFor(route: Route): UpdateScope {
  return route.isStatus ? 'status' : 'main';
}

function scopeOf(route: Route, query: URLSearchParams): WatchScope {
  const allowed = ['metadata.name', 'metadata.namespace', ...route.resource.fieldLabels];
  return {
    resource: route.resource,
    namespace: route.namespace,
    labelSelector: parseLabelSelector(query.get('labelSelector') ?? ''),
    fieldSelector: parseFieldSelector(query.get('fieldSelector') ?? '', allowed),
  };
}

function parseCount(text: string | null, name: string): number {
  if (text === null || text === '') return 0;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw badRequest(`invalid ${name}: ${text}`);
  return value;
}

function decodeContinue(token: string): { id: string; offset: number } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { id?: unknown; offset?: unknown };
    if (typeof decoded.id === 'string' && typeof decoded.offset === 'number') return { id: decoded.id, offset: decoded.offset };
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('continue key is not valid');
}

function requireObject(body: unknown): JsonObject {
  if (!isObject(body as JsonValue)) throw badRequest('the request body must be a JSON object');
  return body as JsonObject;
}

/** The parsed body, or the 400 to answer (returned, so the request is recorded before it is refused). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return badRequest('the request body is not valid JSON');
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describeRequest(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString();
  return `${request.method} ${request.path}${query === '' ? '' : `?${query}`} → ${request.status}`;
}

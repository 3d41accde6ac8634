// The fake server's storage: objects per resource, one global resourceVersion, and the change history watches replay.
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, expired, notFound } from './api-status.js';
import { clone, isObject, type JsonObject, type JsonValue } from './patch.js';
import { apiVersionOf, type ResourceType } from './resources.js';

/** One stored change, as a watch replays it. */
export interface ChangeEvent {
  readonly resourceVersion: number;
  readonly resource: ResourceType;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The new state; for DELETED the last state, carrying the deletion's resourceVersion like the real server. */
  readonly object: JsonObject;
  /** The state before the change (undefined for ADDED). Watches with selectors need it to turn edits into ADDED/DELETED. */
  readonly previous: JsonObject | undefined;
}

/**
 * Which part of an object an update may change, mirroring the real server's strategies: `all` is the fixture's
 * own apply, `main` is PUT/PATCH on the object (status is kept for types with a status subresource), `status`
 * is PUT/PATCH on /status (only status changes).
 */
export type UpdateScope = 'all' | 'main' | 'status';

export class ClusterState {
  private current = 0;
  /** A watch from resourceVersion N can be served iff N >= oldest: every change after N is in `history`. */
  private oldest = 0;
  private history: ChangeEvent[] = [];
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly listeners = new Set<(change: ChangeEvent) => void>();

  constructor(private readonly now: () => Date) {}

  get resourceVersion(): number {
    return this.current;
  }

  get oldestResourceVersion(): number {
    return this.oldest;
  }

  onChange(listener: (change: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Objects of a type, in the real server's (etcd key) order: namespace, then name. */
  list(resource: ResourceType, namespace?: string): JsonObject[] {
    const all = [...(this.objects.get(resource.id)?.values() ?? [])];
    return all
      .filter((object) => namespace === undefined || namespaceOf(object) === namespace)
      .sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
      .map((object) => clone(object));
  }

  get(resource: ResourceType, namespace: string, name: string): JsonObject | undefined {
    const found = this.objects.get(resource.id)?.get(key(resource.namespaced ? namespace : '', name));
    return found === undefined ? undefined : clone(found);
  }

  /**
   * Creates an object. `keepTimestamps` is for the fixture, whose objects may name their creationTimestamp
   * (Ingress ordering depends on it); API clients cannot set it, as with the real server.
   */
  create(resource: ResourceType, input: JsonObject, options: { keepTimestamps: boolean }): JsonObject {
    const object = normalizeIdentity(resource, input);
    const meta = metadataOf(object);
    const name = String(meta['name']);
    if (this.store(resource).has(keyOf(object))) throw alreadyExists(resource, name);
    const createdAt = options.keepTimestamps && typeof meta['creationTimestamp'] === 'string' ? meta['creationTimestamp'] : formatTime(this.now());
    object['metadata'] = { ...meta, uid: randomUUID(), creationTimestamp: createdAt, generation: 1 };
    delete (object['metadata'] as JsonObject)['resourceVersion'];
    return this.commit(resource, 'ADDED', object, undefined);
  }

  /**
   * Updates an existing object. `expectedResourceVersion` is the optimistic-concurrency precondition the body
   * carried (409 when stale). A write that changes nothing keeps the resourceVersion and emits no event,
   * as the real server does.
   */
  update(resource: ResourceType, input: JsonObject, scope: UpdateScope, expectedResourceVersion: string | undefined): JsonObject {
    const incoming = normalizeIdentity(resource, input);
    const name = String(metadataOf(incoming)['name']);
    const previous = this.store(resource).get(keyOf(incoming));
    if (previous === undefined) throw notFound(resource, name);
    if (expectedResourceVersion !== undefined && expectedResourceVersion !== '' && expectedResourceVersion !== resourceVersionOf(previous)) {
      throw conflict(resource, name);
    }
    const next = mergeForScope(resource, previous, incoming, scope);
    const previousMeta = metadataOf(previous);
    next['metadata'] = {
      ...metadataOf(next),
      uid: previousMeta['uid'] ?? null,
      creationTimestamp: previousMeta['creationTimestamp'] ?? null,
      generation: previousMeta['generation'] ?? 1,
      resourceVersion: previousMeta['resourceVersion'] ?? null,
    };
    if (canonicalJson(next) === canonicalJson(previous)) return clone(previous);
    if (canonicalJson(specOf(next)) !== canonicalJson(specOf(previous))) {
      (next['metadata'] as JsonObject)['generation'] = Number(previousMeta['generation'] ?? 1) + 1;
    }
    return this.commit(resource, 'MODIFIED', next, previous);
  }

  remove(resource: ResourceType, namespace: string, name: string, expectedResourceVersion?: string): JsonObject {
    const previous = this.store(resource).get(key(resource.namespaced ? namespace : '', name));
    if (previous === undefined) throw notFound(resource, name);
    if (expectedResourceVersion !== undefined && expectedResourceVersion !== resourceVersionOf(previous)) throw conflict(resource, name);
    return this.commit(resource, 'DELETED', clone(previous), previous);
  }

  /**
   * The changes after `resourceVersion`, for a watch to replay; throws 410 Expired when they are no longer
   * all known (the history was compacted past it).
   */
  changesSince(resourceVersion: number): ChangeEvent[] {
    if (resourceVersion < this.oldest) throw expired(resourceVersion, this.oldest);
    return this.history.filter((change) => change.resourceVersion > resourceVersion);
  }

  /** Forgets the history, as etcd compaction does: only watches from the current resourceVersion on remain possible. */
  compact(): void {
    this.oldest = this.current;
    this.history = [];
  }

  private commit(resource: ResourceType, type: ChangeEvent['type'], object: JsonObject, previous: JsonObject | undefined): JsonObject {
    this.current += 1;
    (object['metadata'] as JsonObject)['resourceVersion'] = String(this.current);
    const store = this.store(resource);
    if (type === 'DELETED') store.delete(keyOf(object));
    else store.set(keyOf(object), object);
    const change: ChangeEvent = { resourceVersion: this.current, resource, type, object: clone(object), previous: previous === undefined ? undefined : clone(previous) };
    this.history.push(change);
    for (const listener of this.listeners) listener(change);
    return clone(object);
  }

  private store(resource: ResourceType): Map<string, JsonObject> {
    let store = this.objects.get(resource.id);
    if (store === undefined) {
      store = new Map();
      this.objects.set(resource.id, store);
    }
    return store;
  }
}

/** What the body of an update becomes under each scope; see UpdateScope. */
function mergeForScope(resource: ResourceType, previous: JsonObject, incoming: JsonObject, scope: UpdateScope): JsonObject {
  if (scope === 'all' || !resource.hasStatus) return incoming;
  if (scope === 'main') {
    const next = { ...incoming };
    if ('status' in previous) next['status'] = clone(previous['status'] ?? null);
    else delete next['status'];
    return next;
  }
  const next = clone(previous);
  if ('status' in incoming) next['status'] = clone(incoming['status'] ?? null);
  else delete next['status'];
  return next;
}

/** Sets apiVersion/kind and checks name and namespace, on a private copy of `input`. */
function normalizeIdentity(resource: ResourceType, input: JsonObject): JsonObject {
  const object = clone(input);
  object['apiVersion'] = apiVersionOf(resource);
  object['kind'] = resource.kind;
  const meta = isObject(object['metadata']) ? { ...object['metadata'] } : {};
  if (typeof meta['name'] !== 'string' || meta['name'] === '') throw badRequest(`${resource.kind}: metadata.name: Required value: name or generateName is required`);
  if (resource.namespaced) {
    if (typeof meta['namespace'] !== 'string' || meta['namespace'] === '') meta['namespace'] = 'default';
  } else {
    delete meta['namespace'];
  }
  object['metadata'] = meta;
  return object;
}

export function metadataOf(object: JsonObject): JsonObject {
  const meta = object['metadata'];
  return isObject(meta) ? meta : {};
}

export function namespaceOf(object: JsonObject): string {
  const namespace = metadataOf(object)['namespace'];
  return typeof namespace === 'string' ? namespace : '';
}

export function nameOf(object: JsonObject): string {
  const name = metadataOf(object)['name'];
  return typeof name === 'string' ? name : '';
}

export function resourceVersionOf(object: JsonObject): string {
  const version = metadataOf(object)['resourceVersion'];
  return typeof version === 'string' ? version : '';
}

export function labelsOf(object: JsonObject): Record<string, string> {
  const labels = metadataOf(object)['labels'];
  if (!isObject(labels)) return {};
  return Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** RFC 3339 with whole seconds, the precision the real server stores. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function keyOf(object: JsonObject): string {
  return key(namespaceOf(object), nameOf(object));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specOf(object: JsonObject): JsonObject {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

/** JSON with object keys sorted, so equal content compares equal whatever the key order. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

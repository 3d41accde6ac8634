// One open watch: filters changes through its namespace and selectors and writes them as newline-delimited JSON.
import type { ServerResponse } from 'node:http';
import type { StatusBody } from './api-status.js';
import { labelsOf, namespaceOf, type ChangeEvent } from './cluster-state.js';
import { clone, type JsonObject } from './patch.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { fieldValue, matchesSelector, type Selector } from './selectors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** What a watch request asked to see. */
export interface WatchScope {
  readonly resource: ResourceType;
  /** Undefined for a cluster-wide watch. */
  readonly namespace: string | undefined;
  readonly labelSelector: Selector;
  readonly fieldSelector: Selector;
}

/** Whether an object falls inside a list or watch's namespace and selectors. */
export function isInScope(scope: WatchScope, object: JsonObject): boolean {
  if (scope.namespace !== undefined && namespaceOf(object) !== scope.namespace) return false;
  const labels = labelsOf(object);
  return matchesSelector(scope.labelSelector, (key) => labels[key]) && matchesSelector(scope.fieldSelector, (path) => fieldValue(object, path));
}

export class WatchStream {
  private stalledUntil: NodeJS.Timeout | undefined;
  private queued: string[] = [];
  private timeout: NodeJS.Timeout | undefined;
  private isEnded = false;

  constructor(
    readonly scope: WatchScope,
    readonly allowBookmarks: boolean,
    private readonly response: ServerResponse,
    private readonly onEnd: (stream: WatchStream) => void,
  ) {
    response.on('close', () => this.finish());
  }

  get isOpen(): boolean {
    return !this.isEnded;
  }

  get isStalled(): boolean {
    return this.stalledUntil !== undefined;
  }

  /** Sends the 200 head at once (clients wait for it before reading events) and arms the server-side timeout. */
  open(timeoutMs: number | undefined): void {
    this.response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.response.flushHeaders();
    if (timeoutMs !== undefined) this.timeout = setTimeout(() => this.end(), timeoutMs);
  }

  /** Writes the event this change means for this watch, if any (see `eventFor`). */
  offer(change: ChangeEvent): void {
    const event = this.eventFor(change);
    if (event !== undefined) this.write(event.type, event.object);
  }

  /** The initial synthetic ADDED events of a watch started without a resourceVersion. */
  sendAdded(objects: readonly JsonObject[]): void {
    for (const object of objects) if (isInScope(this.scope, object)) this.write('ADDED', object);
  }

  bookmark(resourceVersion: number): void {
    const { resource } = this.scope;
    this.write('BOOKMARK', { kind: resource.kind, apiVersion: apiVersionOf(resource), metadata: { resourceVersion: String(resourceVersion) } });
  }

  /** An ERROR event carrying a Status (410 Expired for a compacted resourceVersion), then the end of the stream. */
  sendErrorAndEnd(status: StatusBody): void {
    this.write('ERROR', status as unknown as JsonObject);
    this.end();
  }

  /** Holds every byte for `ms` (the connection stays open), then sends what was held. */
  stall(ms: number): void {
    if (this.isEnded) return;
    if (this.stalledUntil !== undefined) clearTimeout(this.stalledUntil);
    this.stalledUntil = setTimeout(() => this.resume(), Math.min(ms, 2 ** 31 - 1));
  }

  resume(): void {
    if (this.stalledUntil === undefined) return;
    clearTimeout(this.stalledUntil);
    this.stalledUntil = undefined;
    const lines = this.queued;
    this.queued = [];
    if (!this.isEnded) for (const line of lines) this.response.write(line);
  }

  /** Ends the chunked response cleanly (the terminating chunk); held events are dropped, as a server restart would. */
  end(): void {
    if (this.isEnded) return;
    this.finish();
    this.response.end();
  }

  /** Drops the TCP connection without ending the response, as a crashed server or a broken network would. */
  reset(): void {
    if (this.isEnded) return;
    this.finish();
    this.response.socket?.destroy();
  }

  /**
   * How a change looks through this watch's scope: an edit that moves an object into the scope is ADDED, one
   * that moves it out is DELETED (carrying the old state at the new resourceVersion), as the real watch cache does.
   */
  private eventFor(change: ChangeEvent): { type: WatchEventType; object: JsonObject } | undefined {
    if (change.resource.id !== this.scope.resource.id) return undefined;
    const isNowIn = isInScope(this.scope, change.object);
    if (change.type === 'ADDED') return isNowIn ? { type: 'ADDED', object: change.object } : undefined;
    if (change.type === 'DELETED') return isNowIn ? { type: 'DELETED', object: change.object } : undefined;
    const wasIn = change.previous !== undefined && isInScope(this.scope, change.previous);
    if (wasIn && isNowIn) return { type: 'MODIFIED', object: change.object };
    if (isNowIn) return { type: 'ADDED', object: change.object };
    if (wasIn && change.previous !== undefined) {
      const old = clone(change.previous);
      (old['metadata'] as JsonObject)['resourceVersion'] = String(change.resourceVersion);
      return { type: 'DELETED', object: old };
    }
    return undefined;
  }

  private write(type: WatchEventType, object: JsonObject): void {
    if (this.isEnded) return;
    const line = `${JSON.stringify({ type, object })}\n`;
    if (this.stalledUntil !== undefined) this.queued.push(line);
    else this.response.write(line);
  }

  private finish(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    if (this.stalledUntil !== undefined) clearTimeout(this.stalledUntil);
    this.stalledUntil = undefined;
    this.queued = [];
    this.onEnd(this);
  }
}

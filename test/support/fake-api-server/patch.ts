// PATCH bodies: RFC 6902 JSON Patch and RFC 7386 merge patch (strategic merge is served as a merge patch).
import { ApiError, badRequest } from './api-status.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The patch media types the client library sends; server-side apply is refused with 415. */
export type PatchType = 'json' | 'merge' | 'strategic';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  switch (media) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    // Strategic merge differs from a merge patch only for lists with patch-merge keys; callers here
    // patch status and metadata maps, where the two agree.
    case 'application/strategic-merge-patch+json': return 'strategic';
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  }
}

export function applyPatch(target: JsonObject, patch: unknown, type: PatchType): JsonObject {
  const result = type === 'json' ? applyJsonPatch(target, patch) : applyMergePatch(target, patch);
  if (!isObject(result)) throw new ApiError(422, 'Invalid', 'the patch did not produce an object');
  return result;
}

function applyMergePatch(target: JsonValue, patch: unknown): JsonValue {
  if (!isObject(patch as JsonValue)) return clone(patch as JsonValue);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch as JsonObject)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: JsonValue;
}

function applyJsonPatch(target: JsonObject, patch: unknown): JsonValue {
  if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations');
  let document: JsonValue = clone(target);
  for (const raw of patch as unknown[]) {
    const operation = raw as PatchOperation;
    if (typeof operation?.op !== 'string' || typeof operation.path !== 'string') throw badRequest('json patch operation needs op and path');
    document = applyOperation(document, operation);
  }
  return document;
}

function applyOperation(document: JsonValue, operation: PatchOperation): JsonValue {
  switch (operation.op) {
    case 'add': return setAt(document, pointer(operation.path), requireValue(operation), 'add');
    case 'replace': return setAt(document, pointer(operation.path), requireValue(operation), 'replace');
    case 'remove': return removeAt(document, pointer(operation.path));
    case 'test': {
      if (JSON.stringify(getAt(document, pointer(operation.path))) !== JSON.stringify(requireValue(operation))) {
        throw new ApiError(422, 'Invalid', `json patch test operation failed at ${operation.path}`);
      }
      return document;
    }
    case 'move':
    case 'copy': {
      if (operation.from === undefined) throw badRequest(`json patch ${operation.op} needs from`);
      const value = clone(getAt(document, pointer(operation.from)));
      const base = operation.op === 'move' ? removeAt(document, pointer(operation.from)) : document;
      return setAt(base, pointer(operation.path), value, 'add');
    }
    default:
      throw badRequest(`unknown json patch operation ${operation.op}`);
  }
}

function requireValue(operation: PatchOperation): JsonValue {
  if (!('value' in operation) || operation.value === undefined) throw badRequest(`json patch ${operation.op} needs value`);
  return operation.value;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid json pointer ${path}`);
  return path.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(document: JsonValue, parts: readonly string[]): JsonValue {
  let current = document;
  for (const part of parts) {
    const next = Array.isArray(current) ? current[Number(part)] : isObject(current) ? current[part] : undefined;
    if (next === undefined) throw new ApiError(422, 'Invalid', `json patch path /${parts.join('/')} does not exist`);
    current = next;
  }
  return current;
}

function setAt(document: JsonValue, parts: readonly string[], value: JsonValue, mode: 'add' | 'replace'): JsonValue {
  if (parts.length === 0) return clone(value);
  const parentParts = parts.slice(0, -1);
  const last = parts[parts.length - 1] ?? '';
  const root = clone(document);
  const parent = getAt(root, parentParts);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new ApiError(422, 'Invalid', `json patch index ${last} out of range`);
    if (mode === 'add') parent.splice(index, 0, clone(value));
    else if (index < parent.length) parent[index] = clone(value);
    else throw new ApiError(422, 'Invalid', `json patch replace index ${last} out of range`);
  } else if (isObject(parent)) {
    if (mode === 'replace' && !(last in parent)) throw new ApiError(422, 'Invalid', `json patch replace of missing /${parts.join('/')}`);
    parent[last] = clone(value);
  } else {
    throw new ApiError(422, 'Invalid', `json patch parent of /${parts.join('/')} is not a container`);
  }
  return root;
}

function removeAt(document: JsonValue, parts: readonly string[]): JsonValue {
  if (parts.length === 0) throw badRequest('json patch cannot remove the whole document');
  const root = clone(document);
  const parent = getAt(root, parts.slice(0, -1));
  const last = parts[parts.length - 1] ?? '';
  if (Array.isArray(parent) && Number(last) < parent.length) parent.splice(Number(last), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw new ApiError(422, 'Invalid', `json patch remove of missing /${parts.join('/')}`);
  return root;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

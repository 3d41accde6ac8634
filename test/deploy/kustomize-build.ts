// A kustomize build for the subset deploy/ uses, so the tests see what `kubectl apply -k` would send without a
// kustomize binary: `resources` (files and directories), and `patches` that are either JSON patches (RFC 6902
// add/remove/replace, with a target) or a strategic-merge `$patch: delete` of a whole object. Anything else
// is refused with an error, never silently skipped, so a new kustomize feature in deploy/ fails the tests
// until this reader learns it.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as read from a manifest: only the identifying fields are typed. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

interface PatchTarget {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

interface JsonPatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'patches']);
const PATCH_KEYS = new Set(['path', 'patch', 'target']);
const TARGET_KEYS = new Set(['group', 'version', 'kind', 'name', 'namespace']);

/** The objects `kustomize build dir` emits, in resource order (kustomize reorders by kind; order is not checked). */
export async function kustomizeBuild(dir: string): Promise<ManifestObject[]> {
  const kustomization = record(await readYaml(join(dir, 'kustomization.yaml')), `${dir}/kustomization.yaml`);
  refuseUnknownKeys(kustomization, KUSTOMIZATION_KEYS, `${dir}/kustomization.yaml`);
  const objects: ManifestObject[] = [];
  for (const resource of list(kustomization['resources'])) {
    const path = join(dir, String(resource));
    objects.push(...((await stat(path)).isDirectory() ? await kustomizeBuild(path) : await readObjects(path)));
  }
  refuseDuplicates(objects, dir);
  let result = objects;
  for (const entry of list(kustomization['patches'])) {
    const patch = record(entry, `${dir}/kustomization.yaml patches`);
    refuseUnknownKeys(patch, PATCH_KEYS, `${dir}/kustomization.yaml patches`);
    const source = typeof patch['path'] === 'string' ? join(dir, patch['path']) : `${dir}/kustomization.yaml`;
    const text = typeof patch['path'] === 'string' ? await readFile(source, 'utf8') : String(patch['patch']);
    const body: unknown = parseAllDocuments(text)[0]?.toJS();
    if (Array.isArray(body)) {
      const target = record(patch['target'], `${source}: a JSON patch needs a target`) as PatchTarget;
      refuseUnknownKeys(target, TARGET_KEYS, `${source} target`);
      const operations = body.map((operation) => record(operation, source) as unknown as JsonPatchOperation);
      const matched = result.filter((object) => matches(object, target));
      if (matched.length === 0) throw new Error(`${source}: the target matches no object`);
      result = result.map((object) => (matches(object, target) ? (applyJsonPatch(object, operations, source) as ManifestObject) : object));
    } else {
      result = deleteObject(result, record(body, source), source);
    }
    refuseDuplicates(result, dir);
  }
  return result;
}

/** `apps/v1 Deployment portico-system/portico-controller`: how objects are told apart. */
export function idOf(object: ManifestObject): string {
  return `${object.apiVersion} ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

async function readYaml(path: string): Promise<unknown> {
  return parseAllDocuments(await readFile(path, 'utf8'))[0]?.toJS();
}

async function readObjects(path: string): Promise<ManifestObject[]> {
  const objects: ManifestObject[] = [];
  for (const document of parseAllDocuments(await readFile(path, 'utf8'))) {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message ?? 'parse error'}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const object = record(value, path);
    const metadata = record(object['metadata'], `${path}: metadata`);
    if (typeof object['apiVersion'] !== 'string' || typeof object['kind'] !== 'string' || typeof metadata['name'] !== 'string') {
      throw new Error(`${path}: an object without apiVersion, kind or metadata.name`);
    }
    objects.push(object as ManifestObject);
  }
  return objects;
}

function matches(object: ManifestObject, target: PatchTarget): boolean {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata.name) &&
    (target.namespace === undefined || target.namespace === object.metadata.namespace)
  );
}

/** A strategic-merge patch of the one form used here: the whole object marked `$patch: delete`. */
function deleteObject(objects: ManifestObject[], patch: Record<string, unknown>, source: string): ManifestObject[] {
  const metadata = record(patch['metadata'], `${source}: metadata`);
  const keys = Object.keys(patch).sort().join();
  if (patch['$patch'] !== 'delete' || keys !== '$patch,apiVersion,kind,metadata') {
    throw new Error(`${source}: only JSON patches and whole-object "$patch: delete" are understood here`);
  }
  const id = `${String(patch['apiVersion'])} ${String(patch['kind'])} ${typeof metadata['namespace'] === 'string' ? metadata['namespace'] : ''}/${String(metadata['name'])}`;
  const kept = objects.filter((object) => idOf(object) !== id);
  if (kept.length === objects.length) throw new Error(`${source}: deletes ${id}, which is not there`);
  return kept;
}

/** RFC 6902 add, remove and replace on a copy of `document`. */
export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[], source: string): unknown {
  const copy: unknown = structuredClone(document);
  for (const operation of operations) {
    const tokens = operation.path
      .split('/')
      .slice(1)
      .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop();
    if (last === undefined) throw new Error(`${source}: ${operation.op} of the whole document`);
    let parent: unknown = copy;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[arrayIndex(parent, token, source)] : record(parent, `${source}: ${operation.path}`)[token];
      if (parent === undefined) throw new Error(`${source}: ${operation.path} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' && operation.op === 'add' ? parent.length : arrayIndex(parent, last, source);
      if (operation.op === 'add') parent.splice(index, 0, operation.value);
      else if (operation.op === 'remove') parent.splice(index, 1);
      else if (operation.op === 'replace') parent[index] = operation.value;
      else throw new Error(`${source}: operation ${operation.op} is not understood here`);
      continue;
    }
    const object = record(parent, `${source}: ${operation.path}`);
    if (operation.op !== 'add' && !(last in object)) throw new Error(`${source}: ${operation.op} ${operation.path}, which does not exist`);
    if (operation.op === 'add' || operation.op === 'replace') object[last] = operation.value;
    else if (operation.op === 'remove') delete object[last];
    else throw new Error(`${source}: operation ${operation.op} is not understood here`);
  }
  return copy;
}

function arrayIndex(array: readonly unknown[], token: string, source: string): number {
  const index = Number(token);
  if (!/^(0|[1-9][0-9]*)$/.test(token) || index >= array.length) throw new Error(`${source}: array index ${token} is out of range`);
  return index;
}

function refuseDuplicates(objects: readonly ManifestObject[], dir: string): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = idOf(object);
    if (seen.has(id)) throw new Error(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
}

function refuseUnknownKeys(value: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) if (!known.has(key)) throw new Error(`${where}: "${key}" is not understood by this reader`);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Record<string, unknown>;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error('expected a list');
  return value;
}

// The offline source: Kubernetes objects from YAML/JSON files and directories (multi-document, `kind: List`).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { KubeObject } from '../../model/kube.js';
import { normalizeObject } from '../normalize-object.js';

/** A file that could not be read or parsed; the objects of every other file still count. */
export interface FileProblem {
  readonly file: string;
  readonly message: string;
}

export interface ManifestSet {
  readonly objects: readonly KubeObject[];
  /** Objects of a kind Portico reads but malformed (INVALID_OBJECT). */
  readonly diagnostics: readonly Diagnostic[];
  readonly problems: readonly FileProblem[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads files and directories (recursively, *.yaml, *.yml, *.json), in a stable order. */
export async function readManifests(paths: readonly string[]): Promise<ManifestSet> {
  const files: string[] = [];
  const problems: FileProblem[] = [];
  for (const path of paths) {
    try {
      files.push(...(await listManifestFiles(path)));
    } catch (error) {
      problems.push({ file: path, message: describeError(error) });
    }
  }
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push({ file, message: describeError(error) });
      continue;
    }
    const parsed = parseManifests(text, file);
    objects.push(...parsed.objects);
    diagnostics.push(...parsed.diagnostics);
    problems.push(...parsed.problems);
  }
  return { objects, diagnostics, problems };
}

export async function listManifestFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) found.push(...(await listManifestFiles(child)));
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) found.push(child);
  }
  return found;
}

/** Parses one file's text. Pure: used by the reader, the watcher and the tests. */
export function parseManifests(text: string, file: string): ManifestSet {
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const problems: FileProblem[] = [];
  const documents = parseAllDocuments(text, { prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    if (document.errors.length > 0) {
      problems.push({ file, message: `document ${index + 1}: ${document.errors[0]?.message.split('\n')[0] ?? 'parse error'}` });
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // An alias bomb, for one: that document is refused, the others still count.
      problems.push({ file, message: `document ${index + 1}: ${describeError(error)}` });
      return;
    }
    for (const raw of expandLists(value)) {
      const result = normalizeObject(raw);
      if (result.status === 'ok') objects.push(result.object);
      else if (result.status === 'invalid') {
        diagnostics.push({
          severity: 'error',
          code: 'INVALID_OBJECT',
          object: { kind: result.kind, namespace: result.namespace, name: result.name },
          field: '',
          message: `rejected (${file}): ${result.reason}`,
        });
      }
    }
  });
  return { objects, diagnostics, problems };
}

function expandLists(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object' && !Array.isArray(value) && (value as { kind?: unknown }).kind === 'List') {
    const items = (value as { items?: unknown }).items;
    return Array.isArray(items) ? items.flatMap(expandLists) : [];
  }
  return [value];
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

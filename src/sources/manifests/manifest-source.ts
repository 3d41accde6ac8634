// The offline source for the controller: a directory of manifests, watched with chokidar. Each file keeps its
// last good objects: a file that stops parsing, or is caught empty mid-rewrite, changes nothing until it
// parses again.
import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { KubeObject, ObjectKind } from '../../model/kube.js';
import type { ObjectChange } from '../../store/object-store.js';
import { listManifestFiles, parseManifests, type FileProblem } from './read-manifests.js';

export interface ManifestSourceEvents {
  /** Every kind's full set of objects, after the first read and after each change of the files. */
  readonly onChanges: (changes: readonly ObjectChange[]) => void;
  /** A file that could not be read or parsed; its previous objects stay. */
  readonly onProblem: (problem: FileProblem) => void;
}

const KINDS: readonly ObjectKind[] = ['Ingress', 'IngressClass', 'Service', 'Endpoints', 'EndpointSlice', 'Secret', 'ConfigMap'];
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export class ManifestSource {
  readonly #dir: string;
  readonly #objectsByFile = new Map<string, readonly KubeObject[]>();
  #watcher: FSWatcher | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Reads every file, reports the initial objects, then watches; resolves once the first report is made. */
  async start(events: ManifestSourceEvents): Promise<void> {
    for (const file of await listManifestFiles(this.#dir)) await this.#read(file, events);
    events.onChanges(this.#changes());
    const watcher = watch(this.#dir, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 20, pollInterval: 5 } });
    this.#watcher = watcher;
    const enqueue = (work: () => Promise<void>): void => {
      this.#queue = this.#queue.then(work).catch((error: unknown) => events.onProblem({ file: this.#dir, message: String(error) }));
    };
    watcher.on('add', (file) => enqueue(() => this.#reread(file, events)));
    watcher.on('change', (file) => enqueue(() => this.#reread(file, events)));
    watcher.on('unlink', (file) =>
      enqueue(async () => {
        if (this.#objectsByFile.delete(file)) events.onChanges(this.#changes());
      }),
    );
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async stop(): Promise<void> {
    await this.#watcher?.close();
    await this.#queue;
  }

  async #reread(file: string, events: ManifestSourceEvents): Promise<void> {
    if (await this.#read(file, events)) events.onChanges(this.#changes());
  }

  /** True when the file's objects were replaced. */
  async #read(file: string, events: ManifestSourceEvents): Promise<boolean> {
    if (!MANIFEST_FILE.test(file)) return false;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      events.onProblem({ file, message: error instanceof Error ? error.message : String(error) });
      return false;
    }
    // A rewrite in place truncates the file before writing it: a writer paused in between (a loaded machine)
    // leaves it empty for longer than awaitWriteFinish waits, and the loop, which rebuilds at once when idle,
    // would briefly drop every object of the file. An empty file therefore keeps the objects it had; deleting
    // the file is how its objects go away.
    if (text === '' && this.#objectsByFile.has(file)) return false;
    const parsed = parseManifests(text, file);
    if (parsed.problems.length > 0) {
      for (const problem of parsed.problems) events.onProblem(problem);
      return false;
    }
    // Objects that parse but are malformed (INVALID_OBJECT) are dropped here; lint and render report them.
    this.#objectsByFile.set(file, parsed.objects);
    return true;
  }

  /** Level-triggered: the whole state of every kind, in file order; the store finds what actually changed. */
  #changes(): ObjectChange[] {
    const files = [...this.#objectsByFile.keys()].sort();
    const all = files.flatMap((file) => this.#objectsByFile.get(file) ?? []);
    return KINDS.map((kind) => ({ type: 'replace', kind, objects: all.filter((o) => o.kind === kind) }));
  }
}

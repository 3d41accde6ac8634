// Writes what a rendered config refers to: certificate files (0600 in a 0700 directory, atomically, readable
// by nginx's workers), the self-signed default certificate when there is none yet, and nothing else: the
// files of certificates no longer referenced are removed, so no key lingers on disk.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RenderedConfig } from '../render/render-config.js';
import { DEFAULT_CERTIFICATE, runtimeLayout, type RuntimeLayout } from '../render/runtime-layout.js';
import { assertWorkersCanReach, nginxWorkerOwner } from './nginx-worker-owner.js';
import { ensureDefaultCertificate, ensurePrivateDirectory, writeFileAtomic, type FileOwner } from './secure-files.js';

/**
 * The runtime files of one runtime directory, remembered between writes: a rebuild rewrites only the files
 * whose content changed (rewriting ~200 unchanged certificate files took 150 ms of every change).
 */
export class RuntimeFiles {
  readonly #layout: RuntimeLayout;
  readonly #written = new Map<string, string>();
  #owner: FileOwner | undefined;
  #isPrepared = false;

  constructor(runtimeDir: string) {
    this.#layout = runtimeLayout(runtimeDir);
  }

  async write(rendered: RenderedConfig): Promise<void> {
    const layout = this.#layout;
    if (!this.#isPrepared) {
      this.#owner = nginxWorkerOwner();
      await mkdir(layout.runtimeDir, { recursive: true });
      await ensurePrivateDirectory(layout.certificatesDir, this.#owner);
      if (this.#owner !== undefined) await assertWorkersCanReach(layout.certificatesDir, this.#owner);
      await ensureDefaultCertificate(layout.certificatesDir, this.#owner);
      this.#isPrepared = true;
    }
    const wanted = new Set([basename(layout.certificateFile(DEFAULT_CERTIFICATE)), basename(layout.keyFile(DEFAULT_CERTIFICATE))]);
    for (const file of rendered.files) {
      wanted.add(basename(file.path));
      const digest = createHash('sha256').update(file.content).digest('hex');
      if (this.#written.get(file.path) === digest) continue;
      await writeFileAtomic(file.path, file.content, file.mode, this.#owner);
      this.#written.set(file.path, digest);
    }
    for (const name of await readdir(layout.certificatesDir)) {
      if (wanted.has(name)) continue;
      await rm(`${layout.certificatesDir}/${name}`, { force: true });
      this.#written.delete(`${layout.certificatesDir}/${name}`);
    }
  }
}

/** One-shot form, for the CLI: writes every file of `rendered` under `runtimeDir`. */
export async function writeRuntimeFiles(rendered: RenderedConfig, runtimeDir: string): Promise<void> {
  await new RuntimeFiles(runtimeDir).write(rendered);
}

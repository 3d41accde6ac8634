// Writes what a rendered config refers to: certificate and htpasswd files (0600 in 0700 directories,
// atomically, readable by nginx's workers), the self-signed default certificate when there is none yet, and
// nothing else: the files no longer referenced are removed, so no key or password hash lingers on disk.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
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
      for (const dir of this.#privateDirs()) {
        await ensurePrivateDirectory(dir, this.#owner);
        if (this.#owner !== undefined) await assertWorkersCanReach(dir, this.#owner);
      }
      await ensureDefaultCertificate(layout.certificatesDir, this.#owner);
      this.#isPrepared = true;
    }
    const wanted = new Set([layout.certificateFile(DEFAULT_CERTIFICATE), layout.keyFile(DEFAULT_CERTIFICATE)]);
    for (const file of rendered.files) {
      // Every file lives in one of the private directories, whatever the render says.
      if (!this.#privateDirs().includes(dirname(file.path))) throw new Error(`a runtime file outside the private directories: ${file.path}`);
      wanted.add(file.path);
      const digest = createHash('sha256').update(file.content).digest('hex');
      if (this.#written.get(file.path) === digest) continue;
      await writeFileAtomic(file.path, file.content, file.mode, this.#owner);
      this.#written.set(file.path, digest);
    }
    for (const dir of this.#privateDirs()) {
      for (const name of await readdir(dir)) {
        const path = `${dir}/${name}`;
        if (wanted.has(path)) continue;
        await rm(path, { force: true });
        this.#written.delete(path);
      }
    }
  }

  /** The directories whose every file Portico owns: certificates and keys, htpasswd files. */
  #privateDirs(): readonly string[] {
    return [this.#layout.certificatesDir, this.#layout.authDir];
  }
}

/** One-shot form, for the CLI: writes every file of `rendered` under `runtimeDir`. */
export async function writeRuntimeFiles(rendered: RenderedConfig, runtimeDir: string): Promise<void> {
  await new RuntimeFiles(runtimeDir).write(rendered);
}

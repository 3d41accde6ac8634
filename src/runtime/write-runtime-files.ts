// Writes what a rendered config refers to: certificate files (0600 in a 0700 directory, atomically) and
// the self-signed default certificate when there is none yet.
import { mkdir } from 'node:fs/promises';
import type { RenderedConfig } from '../render/render-config.js';
import { runtimeLayout } from '../render/runtime-layout.js';
import { ensureDefaultCertificate, ensurePrivateDirectory, writeFileAtomic } from './secure-files.js';

export async function writeRuntimeFiles(rendered: RenderedConfig, runtimeDir: string): Promise<void> {
  const layout = runtimeLayout(runtimeDir);
  await mkdir(layout.runtimeDir, { recursive: true });
  await ensurePrivateDirectory(layout.certificatesDir);
  await ensureDefaultCertificate(layout.certificatesDir);
  for (const file of rendered.files) await writeFileAtomic(file.path, file.content, file.mode);
}

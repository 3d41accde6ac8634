// Writes what a rendered config refers to: certificate files (0600 in a 0700 directory, atomically, readable
// by nginx's workers) and the self-signed default certificate when there is none yet.
import { mkdir } from 'node:fs/promises';
import type { RenderedConfig } from '../render/render-config.js';
import { runtimeLayout } from '../render/runtime-layout.js';
import { assertWorkersCanReach, nginxWorkerOwner } from './nginx-worker-owner.js';
import { ensureDefaultCertificate, ensurePrivateDirectory, writeFileAtomic } from './secure-files.js';

export async function writeRuntimeFiles(rendered: RenderedConfig, runtimeDir: string): Promise<void> {
  const layout = runtimeLayout(runtimeDir);
  const owner = nginxWorkerOwner();
  await mkdir(layout.runtimeDir, { recursive: true });
  await ensurePrivateDirectory(layout.certificatesDir, owner);
  if (owner !== undefined) await assertWorkersCanReach(layout.certificatesDir, owner);
  await ensureDefaultCertificate(layout.certificatesDir, owner);
  for (const file of rendered.files) await writeFileAtomic(file.path, file.content, file.mode, owner);
}

// Reads templates/ from the package root and compiles them once.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileTemplates, type ConfigTemplate } from '../render/render-config.js';

/** templates/ sits at the package root; this file is at dist/src/runtime/ once built. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

export async function loadTemplates(dir: string = TEMPLATES_DIR): Promise<ConfigTemplate> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.hbs')).sort();
  const partials: Record<string, string> = {};
  let main: string | undefined;
  for (const file of names) {
    const source = await readFile(`${dir}/${file}`, 'utf8');
    if (file === 'nginx.conf.hbs') main = source;
    else partials[file.slice(0, -'.hbs'.length)] = source;
  }
  if (main === undefined) throw new Error(`no nginx.conf.hbs in ${dir}`);
  return compileTemplates({ main, partials });
}

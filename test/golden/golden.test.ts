// Golden cases: test/golden/cases/<case>/input.yaml → model.json, nginx.conf, diagnostics.json.
// Regenerate with `npm run golden:update` and review the diff like code.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { formatDiagnostic } from '../../src/model/diagnostic.js';
import { snapshotOf } from '../../src/model/snapshot.js';
import { compile } from '../../src/pipeline/compile.js';
import { loadTemplates } from '../../src/runtime/load-templates.js';
import { parseManifests } from '../../src/sources/manifests/read-manifests.js';
import { goldenOptions } from '../support/golden-options.js';

/** The source tree's cases (this file runs from dist/test/golden/). */
const CASES_DIR = fileURLToPath(new URL('../../../test/golden/cases/', import.meta.url));
const shouldUpdate = process.env['PORTICO_UPDATE_GOLDEN'] === '1';

const caseNames = (await readdir(CASES_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('golden cases', () => {
  for (const name of caseNames) {
    it(name, async () => {
      const dir = `${CASES_DIR}${name}`;
      const input = parseManifests(await readFile(`${dir}/input.yaml`, 'utf8'), 'input.yaml');
      expect(input.problems, 'input.yaml parses').to.deep.equal([]);
      const result = compile(snapshotOf(input.objects), await loadTemplates(), goldenOptions);
      const actual: Record<string, string> = {
        'model.json': `${JSON.stringify(result.model, null, 2)}\n`,
        'nginx.conf': result.rendered.config,
        'diagnostics.txt': [...input.diagnostics, ...result.diagnostics].map(formatDiagnostic).map((line) => `${line}\n`).join(''),
      };
      for (const [file, text] of Object.entries(actual)) {
        if (shouldUpdate) await writeFile(`${dir}/${file}`, text);
        else expect(text, `${name}/${file} (npm run golden:update to regenerate)`).to.equal(await readFile(`${dir}/${file}`, 'utf8'));
      }
    });
  }
});

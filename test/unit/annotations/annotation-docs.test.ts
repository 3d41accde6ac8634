// docs/annotations.md must be what the modules generate: regenerate with `npm run docs:annotations`.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderAnnotationDocs } from '../../../src/annotations/annotation-docs.js';
import { annotationModules } from '../../../src/annotations/registry.js';

describe('docs/annotations.md', () => {
  it('is up to date with the annotation modules (npm run docs:annotations)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../../../docs/annotations.md', import.meta.url)), 'utf8');
    expect(committed === renderAnnotationDocs(), 'docs/annotations.md is stale: run npm run docs:annotations').to.equal(true);
  });

  it('documents every key of every module, once', () => {
    const text = renderAnnotationDocs();
    const keys = annotationModules.flatMap((m) => m.keys.map((k) => k.key));
    expect(new Set(keys).size, 'a key claimed by two modules').to.equal(keys.length);
    for (const key of keys) expect(text).to.contain(`| [\`${key}\`]`);
  });
});

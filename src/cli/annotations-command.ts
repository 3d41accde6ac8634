// portico annotations: the annotations Portico reads, their grammars, defaults, scopes and risk levels, as
// Markdown (the same text as docs/annotations.md).
import { Command } from 'commander';
import { renderAnnotationDocs } from '../annotations/annotation-docs.js';

export function annotationsCommand(): Command {
  return new Command('annotations').description('print the annotations Portico supports (Markdown)').action(() => {
    process.stdout.write(renderAnnotationDocs());
  });
}

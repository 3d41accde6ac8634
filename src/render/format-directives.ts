// Directive data → nginx.conf lines. The only place annotation effects become text; every argument goes
// through the quoting helpers by its kind.
import type { Directive, DirectiveArg } from '../model/directive.js';
import { bareKeyword, quote, quoteExpansion, quoteRegex, UnquotableValueError, variableReference } from './quote.js';
import type { RuntimeLayout } from './runtime-layout.js';

const INDENT = '    ';
const directiveName = /^[a-z][a-z0-9_]*$/;

/**
 * The lines of `directives`, each indented `depth` levels, blocks expanded. `layout` places runtime-file
 * arguments; formatting one without it is a bug (it throws).
 */
export function formatDirectives(directives: readonly Directive[], depth: number, layout?: RuntimeLayout): string[] {
  const formatArg = (arg: DirectiveArg): string => formatArgument(arg, layout);
  const lines: string[] = [];
  const indent = INDENT.repeat(depth);
  for (const d of directives) {
    if (!directiveName.test(d.name)) throw new UnquotableValueError(`not an nginx directive name: ${JSON.stringify(d.name)}`);
    const head = d.name === 'if' ? `if (${d.args.map(formatArg).join(' ')})` : [d.name, ...d.args.map(formatArg)].join(' ');
    if (d.block === undefined) {
      lines.push(`${indent}${head};`);
    } else {
      lines.push(`${indent}${head} {`, ...formatDirectives(d.block, depth + 1, layout), `${indent}}`);
    }
  }
  return lines;
}

function formatArgument(arg: DirectiveArg, layout: RuntimeLayout | undefined): string {
  switch (arg.kind) {
    case 'literal':
      return quote(arg.text);
    case 'regex':
      return quoteRegex(arg.text);
    case 'expansion':
      return quoteExpansion(arg.text, arg.variables);
    case 'keyword':
      return bareKeyword(arg.text);
    case 'variable':
      return variableReference(arg.name);
    case 'runtimeFile':
      if (layout === undefined) throw new UnquotableValueError(`a runtime file outside the render: ${JSON.stringify(arg.file)}`);
      return quote(layout.runtimeFile(arg.file));
  }
}

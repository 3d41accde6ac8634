// Directive data → nginx.conf lines. The only place annotation effects become text; every argument goes
// through the quoting helpers by its kind.
import type { DataEntry, Directive, DirectiveArg } from '../model/directive.js';
import { bareKeyword, quote, quoteExpansion, quoteMapKey, quoteRegex, UnquotableValueError, variableReference } from './quote.js';
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
    if (d.entries !== undefined) {
      const format = dataBlocks[d.name];
      if (format === undefined || d.block !== undefined) throw new UnquotableValueError(`not a data block: ${JSON.stringify(d.name)}`);
      lines.push(`${indent}${head} {`, ...d.entries.map((e) => `${indent}${INDENT}${format(e)} ${formatArg(e.value)};`), `${indent}}`);
    } else if (d.block === undefined) {
      lines.push(`${indent}${head};`);
    } else {
      lines.push(`${indent}${head} {`, ...formatDirectives(d.block, depth + 1, layout), `${indent}}`);
    }
  }
  return lines;
}

/** The data blocks and how each writes an entry's key; a key kind the block does not have is refused. */
const dataBlocks: Readonly<Record<string, ((entry: DataEntry) => string) | undefined>> = {
  map: ({ key }) => {
    switch (key.kind) {
      case 'default':
        return 'default';
      case 'string':
        return quoteMapKey(key.text);
      case 'regex':
        return quoteRegex(`${key.caseInsensitive ? '~*' : '~'}${key.pattern}`);
      default:
        throw new UnquotableValueError(`a map has no ${key.kind} keys`);
    }
  },
  split_clients: ({ key }) => {
    if (key.kind === 'rest') return '*';
    if (key.kind === 'share' && Number.isInteger(key.hundredths) && key.hundredths >= 1 && key.hundredths <= 10000) return `${(key.hundredths / 100).toFixed(2)}%`;
    throw new UnquotableValueError(`not a split_clients share: ${JSON.stringify(key)}`);
  },
  geo: ({ key }) => {
    if (key.kind === 'default') return 'default';
    if (key.kind === 'network' && /^[0-9A-Fa-f:.]+(?:\/[0-9]{1,3})?$/.test(key.cidr)) return key.cidr;
    throw new UnquotableValueError(`not a geo network: ${JSON.stringify(key)}`);
  },
};

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

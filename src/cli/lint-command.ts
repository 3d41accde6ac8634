// portico lint: every problem in a set of manifests, with severity; exit 1 if any is an error.
import { Command } from 'commander';
import { summarizeUnsupported } from '../annotations/summarize-unsupported.js';
import { buildModel } from '../build/build-model.js';
import { hasErrors, loadInput, reportLines } from './load-input.js';
import { addSharedOptions, compileOptionsOf, parseFormat, type SharedOptions } from './shared-options.js';

interface LintOptions extends SharedOptions {
  readonly output: 'text' | 'json';
}

export function lintCommand(): Command {
  return addSharedOptions(new Command('lint').description('list every problem in a set of manifests'))
    .option('-o, --output <format>', 'text or json', parseFormat, 'text')
    .action(async (options: LintOptions) => {
      const input = await loadInput(options.file);
      const { diagnostics } = buildModel(input.snapshot, compileOptionsOf(options));
      const findings = [...input.diagnostics, ...diagnostics];
      const unsupported = summarizeUnsupported(findings);
      if (options.output === 'json') {
        process.stdout.write(`${JSON.stringify({ files: input.problems, diagnostics: findings, unsupportedAnnotations: unsupported }, null, 2)}\n`);
      } else {
        const lines = reportLines(input.problems, findings);
        if (unsupported.length > 0) {
          lines.push('', 'annotations Portico does not support (see docs/annotations.md):');
          for (const u of unsupported) lines.push(`  ${u.key}${u.rejects ? ' (rejects the Ingress)' : ''}: ${u.ingresses.join(', ')}`);
        }
        process.stdout.write(lines.length === 0 ? 'no problems found\n' : `${lines.join('\n')}\n`);
      }
      process.exitCode = hasErrors(input.problems, findings) ? 1 : 0;
    });
}

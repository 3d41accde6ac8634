// portico render: manifests → nginx.conf (stdout or -o FILE), certificates under --runtime-dir; --watch re-renders.
import { Command } from 'commander';
import { compile } from '../pipeline/compile.js';
import { loadTemplates } from '../runtime/load-templates.js';
import { writeFileAtomic } from '../runtime/secure-files.js';
import { writeRuntimeFiles } from '../runtime/write-runtime-files.js';
import { hasErrors, loadInput, reportLines } from './load-input.js';
import { addSharedOptions, compileOptionsOf, type SharedOptions } from './shared-options.js';
import { watchPaths } from './watch-paths.js';

interface RenderOptions extends SharedOptions {
  readonly output: string | undefined;
  readonly watch: boolean;
}

export function renderCommand(): Command {
  return addSharedOptions(new Command('render').description('print the nginx.conf that a set of manifests becomes'))
    .option('-o, --output <file>', 'write the config to FILE instead of stdout')
    .option('--watch', 're-render whenever the files change', false)
    .action(async (options: RenderOptions) => {
      const renderOnce = async (): Promise<boolean> => {
        const input = await loadInput(options.file);
        const compileOptions = compileOptionsOf(options);
        const result = compile(input.snapshot, await loadTemplates(), compileOptions);
        const findings = [...input.diagnostics, ...result.diagnostics];
        for (const line of reportLines(input.problems, findings)) process.stderr.write(`${line}\n`);
        await writeRuntimeFiles(result.rendered, compileOptions.render.runtimeDir);
        if (options.output === undefined) process.stdout.write(result.rendered.config);
        else await writeFileAtomic(options.output, result.rendered.config, 0o644);
        return !hasErrors(input.problems, findings);
      };
      if (options.watch) {
        // Watch first, then render: a change made just after the first render is then never missed.
        await watchPaths(options.file, async () => {
          await renderOnce();
          process.stderr.write(`rendered ${options.output ?? 'to stdout'} at ${new Date().toISOString()}\n`);
        });
      }
      const isClean = await renderOnce();
      if (!options.watch) process.exitCode = isClean ? 0 : 1;
    });
}


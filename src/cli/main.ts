// The portico command line: parses arguments and hands over to one command; no logic of its own.
import { Command, CommanderError } from 'commander';
import { annotationsCommand } from './annotations-command.js';
import { controllerCommand } from './controller-command.js';
import { explainCommand } from './explain-command.js';
import { lintCommand } from './lint-command.js';
import { renderCommand } from './render-command.js';

/** Exit codes: 0 success, 1 errors found, 2 usage errors. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('portico')
    .description('Portico: Kubernetes Ingress to nginx')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of [renderCommand(), lintCommand(), explainCommand(), annotationsCommand(), controllerCommand()]) program.addCommand(command.exitOverride());
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

// portico controller: the long-running controller, fed by the Kubernetes API or a manifest directory.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runController, type ControllerSource } from '../controller/run-controller.js';
import type { NginxMode } from '../nginx/nginx-driver.js';
import { createLogger } from '../observability/logger.js';
import { addBuildOptions, compileOptionsOf, parsePort, type SharedOptions } from './shared-options.js';

interface ControllerCommandOptions extends Omit<SharedOptions, 'file'> {
  readonly kubeconfig: string | undefined;
  readonly manifests: string | undefined;
  readonly watchNamespace: string | undefined;
  readonly nginxMode: NginxMode;
  readonly nginxBinary: string;
  readonly healthPort: number;
}

export function controllerCommand(): Command {
  return addBuildOptions(new Command('controller').description('watch Ingresses and keep nginx serving them'))
    .option('--kubeconfig <file>', 'a kubeconfig (default: the in-cluster service account)')
    .option('--manifests <dir>', 'read objects from this directory of manifests instead of the Kubernetes API')
    .option('--watch-namespace <namespace>', 'watch one namespace only (default: all)')
    .option('--nginx-mode <mode>', 'spawn (start nginx as a child) or sidecar (signal the nginx of another container)', parseMode, 'spawn')
    .option('--nginx-binary <path>', 'the nginx binary used to test configs (and to run nginx in spawn mode)', 'nginx')
    .option('--health-port <n>', 'the port of /healthz, /readyz and /metrics', parsePort, 10254)
    .action(async (options: ControllerCommandOptions) => {
      if (options.kubeconfig !== undefined && options.manifests !== undefined) throw new InvalidArgumentError('--kubeconfig and --manifests exclude each other');
      const source: ControllerSource =
        options.manifests === undefined
          ? { kind: 'kubernetes', kubeconfig: options.kubeconfig, watchNamespace: options.watchNamespace }
          : { kind: 'manifests', dir: resolve(options.manifests) };
      const logger = createLogger();
      const controller = await runController(
        { source, nginx: { mode: options.nginxMode, binary: options.nginxBinary }, compile: compileOptionsOf(options), healthPort: options.healthPort },
        logger,
      );
      await new Promise<void>((resolveStop) => {
        const stop = (signal: NodeJS.Signals): void => {
          logger.info({ signal }, 'stopping');
          controller.stop().then(resolveStop, (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            resolveStop();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

function parseMode(value: string): NginxMode {
  if (value !== 'spawn' && value !== 'sidecar') throw new InvalidArgumentError('expected "spawn" or "sidecar"');
  return value;
}

// Runs a callback whenever the watched files change (chokidar), coalescing bursts of events into one run.
import { watch } from 'chokidar';

const HOLDOFF_MS = 100;

/** Resolves never: the watch runs until the process ends. */
export async function watchPaths(paths: readonly string[], onChange: () => Promise<void>): Promise<never> {
  const watcher = watch([...paths], { ignoreInitial: true });
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange).catch((error: unknown) => {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    }, HOLDOFF_MS);
  });
  return new Promise<never>(() => undefined);
}

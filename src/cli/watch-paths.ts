// Runs a callback whenever the watched files change (chokidar), coalescing bursts of events into one run.
import { watch } from 'chokidar';

const HOLDOFF_MS = 100;

/**
 * Resolves once the watcher has scanned the paths, so a change made after that is never missed; the watch
 * then runs until the process ends.
 */
export async function watchPaths(paths: readonly string[], onChange: () => Promise<void>): Promise<void> {
  const watcher = watch([...paths], { ignoreInitial: true });
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const named = new Set(paths);
  watcher.on('all', (_event, path) => {
    // Only manifests count: a config written with -o into a watched directory must not re-trigger itself.
    if (!named.has(path) && !/\.(ya?ml|json)$/i.test(path)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange).catch((error: unknown) => {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    }, HOLDOFF_MS);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
}

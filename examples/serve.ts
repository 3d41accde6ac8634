// The Quick start: renders examples/manifests the way `portico render` does, serves it with a real nginx in
// front of loopback echo backends, and prints curl commands to try (or, with EXAMPLES_SELF_TEST=1, checks them).
// nginx runs under the controller's own driver in spawn mode: `nginx -t`, start, restart if it dies, stop.
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { hasErrors, loadInput, reportLines } from '../src/cli/load-input.js';
import { addSharedOptions, compileOptionsOf, type SharedOptions } from '../src/cli/shared-options.js';
import { keyOf } from '../src/model/kube.js';
import { compile } from '../src/pipeline/compile.js';
import { findNginx } from '../src/nginx/find-nginx.js';
import { NginxDriver } from '../src/nginx/nginx-driver.js';
import { runtimeLayout } from '../src/render/runtime-layout.js';
import { loadTemplates } from '../src/runtime/load-templates.js';
import { startEchoBackends, type EchoBackends } from './echo-backends.js';
import { runSelfTest } from './self-test.js';

/** This file runs as dist/examples/serve.js; the repository root is two levels up. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const manifestsDir = `${repoRoot}examples/manifests`;
/** Under the repository (and .gitignore'd), so the config, logs and certificates are easy to look at. */
const runtimeDir = `${repoRoot}.portico/examples`;
const listenAddress = '127.0.0.1';
/** The TLS Secret whose certificate the self-test trusts (and the curl hint points at). */
const secureSecret = 'secure/secure-example-tls';

const isSelfTest = process.env['EXAMPLES_SELF_TEST'] === '1';

async function serve(stopRequested: Promise<StopReason>): Promise<number> {
  const options = parseOptions();
  if (options === undefined) return 2;

  // The same steps, in the same order, as `portico render -f examples/manifests -o .portico/examples/nginx.conf`.
  const input = await loadInput(options.file);
  const compileOptions = compileOptionsOf(options);
  const result = compile(input.snapshot, await loadTemplates(), compileOptions);
  const findings = [...input.diagnostics, ...result.diagnostics];
  const configFile = runtimeLayout(compileOptions.render.runtimeDir).configFile;

  process.stdout.write(`rendered ${manifestsDir} -> ${configFile}\n`);
  const lines = reportLines(input.problems, findings);
  process.stdout.write(lines.length === 0 ? 'diagnostics: none\n' : `diagnostics:\n${lines.map((l) => `  ${l}\n`).join('')}`);
  if (isSelfTest) {
    // The manifests are meant to produce exactly one finding: the checkout Service that is not ready.
    const codes = findings.map((d) => `${d.code} ${keyOf(d.object)}`).join(', ');
    if (hasErrors(input.problems, findings) || codes !== 'NO_READY_ENDPOINTS shop/shop') {
      process.stderr.write(`self-test: expected only "NO_READY_ENDPOINTS shop/shop" from the manifests, got "${codes}"\n`);
      return 1;
    }
  }

  let nginxExited = (_why: string): void => {};
  const nginxStopped = new Promise<string>((resolve) => (nginxExited = resolve));
  const driver = new NginxDriver({
    mode: 'spawn',
    binary: findNginx(),
    runtimeDir: compileOptions.render.runtimeDir,
    onNginxExit: (code, signal) => nginxExited(`exit ${String(code ?? signal)}`),
  });
  let backends: EchoBackends | undefined;
  const stopAll = async (): Promise<void> => {
    // A graceful stop waits for open requests; past 5 s nginx is killed, so Ctrl-C never hangs.
    await driver.stop(5_000);
    await backends?.close();
  };
  try {
    backends = await startEchoBackends(input.snapshot);
    process.stdout.write(
      `echo backends: ${backends.backends.map((b) => `${b.service}@${b.address}:${b.port}${b.ready ? '' : ' (not ready)'}`).join(', ')}\n`,
    );
    // Writes the certificates, checks the config with `nginx -t`, starts nginx and waits for its workers.
    const applied = await driver.apply(result.rendered);
    if (applied.kind === 'rejected') {
      process.stderr.write(`nginx -t rejected the rendered config: ${applied.error.message} (${applied.error.file ?? ''}:${applied.error.line ?? ''})\n`);
      return 1;
    }
    if (applied.kind !== 'applied') {
      process.stderr.write(`nginx did not start: ${applied.kind === 'failed' ? applied.message : applied.kind}\n`);
      return 1;
    }
    process.stdout.write(`nginx -t: the configuration is valid\nnginx listens on ${listenAddress}:${options.httpPort} and ${listenAddress}:${options.httpsPort}\n`);

    if (isSelfTest) {
      const secret = input.snapshot.secrets.find((s) => keyOf(s.metadata) === secureSecret);
      const passed = runSelfTest({
        address: listenAddress,
        httpPort: options.httpPort,
        httpsPort: options.httpsPort,
        secureCertificate: secret?.data['tls.crt'] ?? '',
        backends,
        errorLog: runtimeLayout(compileOptions.render.runtimeDir).errorLog,
      });
      const outcome = await Promise.race([passed, stopRequested]);
      return outcome === true ? 0 : 1;
    }

    printTryThis(options, compileOptions.render.runtimeDir);
    const why = await Promise.race([stopRequested, nginxStopped]);
    if (why.startsWith('exit')) {
      process.stderr.write(`nginx stopped on its own (${why}); see ${runtimeLayout(compileOptions.render.runtimeDir).errorLog}\n`);
      return 1;
    }
    process.stdout.write(`\n${why}: stopping nginx and the echo backends\n`);
    return 0;
  } finally {
    await stopAll();
  }
}

/**
 * The options through the very definitions `portico render` uses, so every default (class names, ConfigMap)
 * is the CLI's and PORT/HTTPS_PORT are validated like --http-port/--https-port.
 */
function parseOptions(): SharedOptions | undefined {
  const command = addSharedOptions(new Command('examples')).exitOverride();
  try {
    command.parse(
      [
        '--file', manifestsDir,
        '--http-port', process.env['PORT'] ?? '8080',
        '--https-port', process.env['HTTPS_PORT'] ?? '8443',
        '--listen-address', listenAddress,
        '--runtime-dir', runtimeDir,
      ],
      { from: 'user' },
    );
  } catch (error) {
    // Commander has already printed what was wrong, naming the flag rather than the variable.
    if (error instanceof CommanderError) {
      process.stderr.write('(PORT sets --http-port, HTTPS_PORT sets --https-port)\n');
      return undefined;
    }
    throw error;
  }
  return command.opts<SharedOptions>();
}

function printTryThis(options: SharedOptions, dir: string): void {
  const http = `http://${listenAddress}:${options.httpPort}`;
  const secure = `secure.example.test:${options.httpsPort}`;
  const certificate = runtimeLayout(dir).certificateFile(secureSecret.replace('/', '_'));
  process.stdout.write(
    [
      '',
      'Try:',
      `  curl -H 'Host: shop.example.test' ${http}/ ${http}/   # frontend, twice: its two endpoints take turns`,
      `  curl -H 'Host: shop.example.test' ${http}/api/items    # api (Prefix /api)`,
      `  curl -H 'Host: shop.example.test' ${http}/apiary       # frontend: /api matches whole path elements only`,
      `  curl -H 'Host: shop.example.test' ${http}/healthz      # api (Exact /healthz)`,
      `  curl -i -H 'Host: shop.example.test' ${http}/checkout  # 503: no ready endpoint`,
      `  curl -H 'Host: blog.example.test' ${http}/`,
      `  curl -H 'Host: preview.apps.example.test' ${http}/     # wildcard *.apps.example.test`,
      `  curl -i -H 'Host: secure.example.test' ${http}/        # 308 to HTTPS`,
      `  curl -k --resolve ${secure}:${listenAddress} https://${secure}/`,
      `  curl --cacert ${certificate} --resolve ${secure}:${listenAddress} https://${secure}/`,
      `  node_modules/.bin/node bin/portico explain -f examples/manifests http://shop.example.test/api/items`,
      '',
      `Config, logs and certificates are in ${dir}. Ctrl-C stops nginx and the backends.`,
      '',
    ].join('\n'),
  );
}

/** Why the example stops: a signal, or the process that started it went away. */
type StopReason = NodeJS.Signals | 'parent exited';

/**
 * Resolves with the first of Ctrl-C, SIGTERM, SIGHUP or the parent's exit. Listening from the very start
 * means a signal never takes the default action (ending this process at once), which would leave nginx and
 * its ports behind. The parent check is for `kill <npm pid>`: npm passes the signal to the `sh -c` that runs
 * the script, and sh dies without passing it on to us.
 */
function whenStopRequested(): { readonly stopRequested: Promise<StopReason>; readonly release: () => void } {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let onStop = (_reason: StopReason): void => {};
  const stopRequested = new Promise<StopReason>((resolve) => (onStop = resolve));
  for (const name of signals) process.on(name, onStop);
  const parent = process.ppid;
  const parentCheck = setInterval(() => {
    if (process.ppid !== parent) onStop('parent exited');
  }, 500);
  return {
    stopRequested,
    release: () => {
      clearInterval(parentCheck);
      for (const name of signals) process.off(name, onStop);
    },
  };
}

const { stopRequested, release } = whenStopRequested();
try {
  process.exitCode = await serve(stopRequested);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  release();
}

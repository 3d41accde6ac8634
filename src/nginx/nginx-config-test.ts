// `nginx -t` on a candidate config, with nginx's error turned into a message, a file and a line.
import { execFile } from 'node:child_process';
import { nginxEnvironment } from './nginx-environment.js';

export interface NginxConfigError {
  readonly message: string;
  readonly file: string | undefined;
  readonly line: number | undefined;
}

export type ConfigTestResult = { readonly ok: true } | { readonly ok: false; readonly error: NginxConfigError };

/** `nginx -t` exactly as the running nginx will read the file: same binary, prefix and path. */
export function testNginxConfig(binary: string, prefix: string, configFile: string): Promise<ConfigTestResult> {
  return new Promise((resolve) => {
    execFile(binary, ['-t', '-q', '-e', 'stderr', '-p', prefix, '-c', configFile], { timeout: 120_000, env: nginxEnvironment() }, (error, _stdout, stderr) => {
      if (error === null) resolve({ ok: true });
      else resolve({ ok: false, error: parseNginxError(stderr || error.message) });
    });
  });
}

/** `nginx: [emerg] unknown directive "x" in /run/portico/nginx.conf:12` → message, file and line. */
export function parseNginxError(output: string): NginxConfigError {
  const lines = output.split('\n').filter((line) => /\[(emerg|alert|crit|error)\]/.test(line));
  const first = (lines[0] ?? output.trim().split('\n')[0] ?? 'nginx -t failed').replace(/^nginx: /, '').replace(/^[0-9/: ]+/, '');
  const located = /^(.*) in (\S+):(\d+)$/.exec(first);
  if (located === null) return { message: first, file: undefined, line: undefined };
  return { message: located[1] ?? first, file: located[2], line: Number(located[3]) };
}

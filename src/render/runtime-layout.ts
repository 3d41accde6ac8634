// Where a rendered config keeps its files (pid, logs, temp paths, certificates, htpasswd files), all under one directory,
// so `nginx -p DIR -c FILE` runs it unmodified as any user.
import type { RuntimeFileRef } from '../model/directive.js';

export interface RuntimeLayout {
  readonly runtimeDir: string;
  readonly configFile: string;
  readonly pidFile: string;
  readonly errorLog: string;
  readonly accessLog: string;
  readonly tempDir: (kind: 'client_body' | 'proxy' | 'fastcgi' | 'uwsgi' | 'scgi') => string;
  readonly certificatesDir: string;
  readonly certificateFile: (name: string) => string;
  readonly keyFile: (name: string) => string;
  /** Private (0700) like certificatesDir: htpasswd files of basic-auth Secrets. */
  readonly authDir: string;
  readonly authFile: (name: string) => string;
  /** The path of a file a directive refers to. */
  readonly runtimeFile: (file: RuntimeFileRef) => string;
}

/** The certificate name of the self-signed fallback; Secret certificates are `namespace_name`, never this. */
export const DEFAULT_CERTIFICATE = 'default';

/** `runtimeDir` must be absolute. */
export function runtimeLayout(runtimeDir: string): RuntimeLayout {
  const dir = runtimeDir.replace(/\/+$/, '') || '/';
  const certificatesDir = `${dir}/certs`;
  const authDir = `${dir}/auth`;
  const authFile = (name: string): string => `${authDir}/${name}.htpasswd`;
  return {
    runtimeDir: dir,
    configFile: `${dir}/nginx.conf`,
    pidFile: `${dir}/nginx.pid`,
    errorLog: `${dir}/error.log`,
    accessLog: `${dir}/access.log`,
    tempDir: (kind) => `${dir}/${kind}_temp`,
    certificatesDir,
    certificateFile: (name) => `${certificatesDir}/${name}.crt`,
    keyFile: (name) => `${certificatesDir}/${name}.key`,
    authDir,
    authFile,
    runtimeFile: (file) => authFile(file.name),
  };
}

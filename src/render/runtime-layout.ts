// Where a rendered config keeps its files (pid, logs, temp paths, certificates), all under one directory,
// so `nginx -p DIR -c FILE` runs it unmodified as any user.

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
}

/** The certificate name of the self-signed fallback; Secret certificates are `namespace_name`, never this. */
export const DEFAULT_CERTIFICATE = 'default';

/** `runtimeDir` must be absolute. */
export function runtimeLayout(runtimeDir: string): RuntimeLayout {
  const dir = runtimeDir.replace(/\/+$/, '') || '/';
  const certificatesDir = `${dir}/certs`;
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
  };
}

// Shared pieces of the annotation module tests: hostile values every grammar must refuse, and a build of
// one annotated Ingress (plus whatever objects a case needs) with the fixed golden options.
import { buildModel, type BuildResult } from '../../src/build/build-model.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { KubeObject } from '../../src/model/kube.js';
import type { Location, VirtualServer } from '../../src/model/nginx-model.js';
import { snapshotOf } from '../../src/model/snapshot.js';
import { INJECTION_MARKER } from './hostile-arbitraries.js';
import { parseNginxConfig, walkStatements } from './nginx-config-tokens.js';
import { goldenOptions } from './golden-options.js';
import { endpointSlice, ingress, service, type PathSpec } from './objects.js';

const m = INJECTION_MARKER;

/** Breakouts and characters no annotation value may carry: CR/LF, quotes, `$`, braces, `;`, `#`, length, unicode. */
export const hostileValues: readonly string[] = [
  `x\r\n${m} on;`,
  `x\n${m}`,
  `x"; ${m} on; #`,
  `x'; ${m}`,
  `x;${m}`,
  `x { ${m} }`,
  `x}`,
  `x # ${m}`,
  `$${m}`,
  `\${${m}}`,
  `x\\"${m}`,
  'x'.repeat(5000),
  'x\u00e9',
  'x\u202e',
  'x\u0000',
  ' ',
];

/** The full annotation key under ingress-nginx's prefix. */
export const nginxKey = (key: string): string => `nginx.ingress.kubernetes.io/${key}`;

export interface AnnotatedBuild extends BuildResult {
  /** The server of `host` (`app.test` unless the case says otherwise). */
  server(host?: string): VirtualServer;
  /** The location of `host` with exactly this nginx path (`/`, `= /a`…: modifier then path). */
  location(path: string, host?: string): Location;
  errors(): readonly Diagnostic[];
}

/**
 * Builds an Ingress `app` on host `app.test`, path `/` (or `paths`) → Service `web` port 80 with two ready
 * endpoints, carrying `annotations` (keys without the prefix), plus `extra` objects.
 */
export function buildAnnotated(annotations: Readonly<Record<string, string>>, options: { paths?: readonly PathSpec[]; extra?: readonly KubeObject[] } = {}): AnnotatedBuild {
  const objects: KubeObject[] = [
    ingress('app', {
      annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [nginxKey(k), v])),
      rules: [{ host: 'app.test', paths: options.paths ?? [{ path: '/', service: 'web' }] }],
    }),
    service('web'),
    endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }] }),
    ...(options.extra ?? []),
  ];
  const result = buildModel(snapshotOf(objects), goldenOptions);
  const server = (host = 'app.test'): VirtualServer => {
    const found = result.model.servers.find((s) => s.host === host);
    if (found === undefined) throw new Error(`no server ${host}; diagnostics: ${JSON.stringify(result.diagnostics)}`);
    return found;
  };
  return {
    ...result,
    server,
    location: (path, host) => {
      const found = server(host).locations.find((l) => (l.modifier === '' ? l.path : `${l.modifier} ${l.path}`) === path);
      if (found === undefined) throw new Error(`no location ${path} on ${host ?? 'app.test'}`);
      return found;
    },
    errors: () => result.diagnostics.filter((d) => d.severity === 'error'),
  };
}

/** The one INVALID_ANNOTATION a rejected value must produce, naming the key. */
export function rejectionOf(result: BuildResult, key: string): Diagnostic | undefined {
  return result.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION' && d.field === `metadata.annotations["${nginxKey(key)}"]`);
}

/** The rendered nginx.conf of a build, parsed: its upstream blocks by name and each statement's words. */
export function renderedUpstreams(config: string): ReadonlyMap<string, readonly string[][]> {
  const upstreams = new Map<string, string[][]>();
  for (const { statement } of walkStatements(parseNginxConfig(config).statements)) {
    if (statement.name.text !== 'upstream' || statement.block === undefined) continue;
    upstreams.set(statement.args[0]?.text ?? '', statement.block.map((s) => [s.name.text, ...s.args.map((a) => a.text)]));
  }
  return upstreams;
}

/** Every statement of a location block (`= /a`, `/`…) of `host` in a rendered config, as words. */
export function renderedLocation(config: string, host: string, match: string): readonly string[][] {
  for (const { statement } of walkStatements(parseNginxConfig(config).statements)) {
    if (statement.name.text !== 'server' || statement.block === undefined) continue;
    if (!statement.block.some((s) => s.name.text === 'server_name' && s.args[0]?.text === host)) continue;
    for (const l of statement.block) {
      if (l.name.text === 'location' && l.args.map((a) => a.text).join(' ') === match && l.block !== undefined) {
        return l.block.map((s) => [s.name.text, ...s.args.map((a) => a.text)]);
      }
    }
  }
  throw new Error(`no location ${match} on ${host}`);
}

// Unit-test view of what annotations did to a build: the directive lines of a location, of a server and of
// the http{} block, and the errors of each Ingress, so annotation module tests read like nginx.conf.
import { expect } from 'chai';
import { buildModel, type BuildResult } from '../../src/build/build-model.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { KubeObject } from '../../src/model/kube.js';
import type { Location } from '../../src/model/nginx-model.js';
import { snapshotOf } from '../../src/model/snapshot.js';
import { formatDirectives } from '../../src/render/format-directives.js';
import { goldenOptions } from './golden-options.js';
import { HOSTILE_FRAGMENTS } from './hostile-arbitraries.js';
import { endpointSlice, ingress, service } from './objects.js';

export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';

export interface AnnotatedBuild {
  readonly result: BuildResult;
  /** The annotation directives of the location serving `path` (as written in the model) on `host`, one line each. */
  location(host: string, path?: string): string[];
  /** The annotation directives of the server of `host`. */
  server(host: string): string[];
  /** The annotation directives of the http{} block. */
  readonly http: string[];
  /** `CODE field` of each error diagnostic of the Ingress `name`. */
  errorsOf(name: string): string[];
}

/** Builds `objects` plus a Service `web` with one endpoint, as the golden cases do. */
export function annotatedBuild(objects: readonly KubeObject[]): AnnotatedBuild {
  const result = buildModel(snapshotOf([...objects, service('web'), endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] })]), goldenOptions);
  const locationOf = (host: string, path: string): Location => {
    const server = result.model.servers.find((s) => s.host === host);
    const location = server?.locations.find((l) => l.path === path && l.route !== undefined);
    if (location === undefined) throw new Error(`no location ${path} on ${host}; the build said: ${describe(result.diagnostics)}`);
    return location;
  };
  return {
    result,
    location: (host, path = '/') => formatDirectives(locationOf(host, path).directives, 0),
    server: (host) => formatDirectives(result.model.servers.find((s) => s.host === host)?.directives ?? [], 0),
    http: formatDirectives(result.model.httpDirectives, 0),
    errorsOf: (name) => result.diagnostics.filter((d) => d.object.name === name && d.severity === 'error').map((d) => `${d.code} ${d.field}`),
  };
}

/** The directive lines one Ingress on host `a.test` with `annotations` gets in its `/` location. */
export function locationLinesFor(annotations: Record<string, string>): string[] {
  return annotatedBuild([annotatedIngress('app', 'a.test', annotations)]).location('a.test');
}

/** An Ingress routing `host` `/` to `web`, with annotations given by their short keys. */
export function annotatedIngress(name: string, host: string, annotations: Record<string, string>, namespace = 'default'): ReturnType<typeof ingress> {
  return ingress(name, {
    namespace,
    annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`${ANNOTATION_PREFIX}/${k}`, v])),
    rules: [{ host, paths: [{ path: '/', service: 'web' }] }],
  });
}

/**
 * Asserts that each hostile variation of `valid` (nginx syntax, control characters, unicode, a very long
 * value) for `key` rejects the Ingress with INVALID_ANNOTATION naming the key, and that `valid` alone is fine.
 */
export function expectHostileValuesRejected(key: string, valid: string, others: Record<string, string> = {}): void {
  const field = `INVALID_ANNOTATION metadata.annotations["${ANNOTATION_PREFIX}/${key}"]`;
  expect(annotatedBuild([annotatedIngress('app', 'a.test', { ...others, [key]: valid })]).errorsOf('app'), `${key}: ${valid}`).to.deep.equal([]);
  const hostile = [...HOSTILE_FRAGMENTS.filter((f) => f.trim() !== '').map((f) => `${valid}${f}`), `${valid}${'9'.repeat(5000)}`, 'x'.repeat(4000)];
  for (const value of hostile) {
    const build = annotatedBuild([annotatedIngress('app', 'a.test', { ...others, [key]: value })]);
    expect(build.errorsOf('app'), `${key}: ${JSON.stringify(value)}`).to.include(field);
    expect(build.result.model.servers.map((s) => s.host), JSON.stringify(value)).not.to.include('a.test');
  }
}

function describe(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.object.name} ${d.code} ${d.field} ${d.message}`).join('; ') || 'nothing';
}

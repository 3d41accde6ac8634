// The hostile-input property, shared by the bounded CI test and the long fuzz run: every generated cluster
// is compiled, checked for injections, served by a real nginx, and a sample of its routes is requested.
import { expect } from 'chai';
import fc from 'fast-check';
import { explainRequest } from '../../src/explain/explain-request.js';
import type { Ingress } from '../../src/model/kube.js';
import type { NginxModel } from '../../src/model/nginx-model.js';
import { snapshotOf } from '../../src/model/snapshot.js';
import { compile } from '../../src/pipeline/compile.js';
import { loadTemplates } from '../../src/runtime/load-templates.js';
import { makeCertificate } from './certificates.js';
import { loopbackCompileOptions } from './controller-fixture.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from './echo-backend.js';
import { clusterObjects, FUZZ_SERVICES, generatedCluster, INJECTION_MARKER, type FuzzFixtures } from './hostile-arbitraries.js';
import { httpRequest } from './http-client.js';
import { findInjections } from './nginx-config-tokens.js';
import { serveObjects, type ServedConfig } from './serve-snapshot.js';

export interface HostileInputOptions {
  /** Generated clusters; each is one nginx config, checked by `nginx -t` and served. */
  readonly runs: number;
  readonly seed: number;
  /** Ingresses per generated cluster. */
  readonly clusterSize: { readonly min: number; readonly max: number };
  /** Routes requested through nginx per cluster, at most. */
  readonly routesPerRun: number;
}

/** What a run tried and found; `injections` and `failures` must be zero. */
export interface HostileInputReport {
  readonly seed: number;
  readonly runs: number;
  readonly ingresses: number;
  readonly hostileServicesAndSecrets: number;
  readonly annotationValues: number;
  readonly rejected: number;
  readonly servedIngresses: number;
  readonly nginxConfigTests: number;
  readonly routesRequested: number;
  readonly injections: number;
}

/** Characters no served value may hold: nginx syntax, whitespace, control characters, non-ASCII. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const syntaxCharacters = /[;{}"'\\$#\s\u0000-\u001f\u007f-\u{10ffff}]/u;

/**
 * Runs the property; throws (with fast-check's seed and shrunk counterexample) on the first cluster that
 * breaks it. For every generated cluster: compiling never throws; no directive outside the allowed set and
 * no marker outside quotes in nginx.conf; every Ingress whose host, path or backend holds nginx syntax is
 * rejected with an error naming it; every path of an Ingress not rejected is served or explained by a
 * diagnostic; nginx accepts the config; and sampled requests are answered as the model says.
 */
export async function runHostileInputProperty(options: HostileInputOptions): Promise<HostileInputReport> {
  const backends: EchoBackend[] = [];
  let served: ServedConfig | undefined;
  const counts = { runs: 0, ingresses: 0, hostileServicesAndSecrets: 0, annotationValues: 0, rejected: 0, servedIngresses: 0, nginxConfigTests: 0, routesRequested: 0, injections: 0 };
  try {
    for (const name of FUZZ_SERVICES) backends.push(await startEchoBackend(name));
    const [a, b, c] = backends as [EchoBackend, EchoBackend, EchoBackend];
    const fixtures: FuzzFixtures = {
      backendPorts: { 'svc-a': a.port, 'svc-b': b.port, 'svc-c': c.port },
      certificate: makeCertificate({ hosts: ['*.fuzz.test', '*.w.fuzz.test'], keyType: 'ecdsa' }),
      otherCertificate: makeCertificate({ hosts: ['other.example'], keyType: 'ecdsa' }),
    };
    served = await serveObjects([]);
    const server = served;
    const template = await loadTemplates();
    const compileOptions = loopbackCompileOptions(server.runtimeDir, server.httpPort, server.httpsPort);

    await fc.assert(
      fc.asyncProperty(generatedCluster(options.clusterSize), async (cluster) => {
        const { objects, ingresses } = clusterObjects(cluster, fixtures);
        const result = compile(snapshotOf(objects), template, compileOptions);

        const injections = findInjections(result.rendered.config, [INJECTION_MARKER]);
        counts.injections += injections.length;
        expect(injections, 'injected nginx syntax').to.deep.equal([]);

        const errors = new Set(result.diagnostics.filter((d) => d.severity === 'error' && d.object.kind === 'Ingress').map((d) => d.object.name));
        const mentioned = new Set(result.diagnostics.filter((d) => d.object.kind === 'Ingress').map((d) => d.object.name));
        for (const ing of ingresses) {
          if (ing.ingressClassName !== 'portico') continue;
          const name = ing.metadata.name;
          if (hasSyntaxCharacter(ing)) expect(errors, `Ingress ${JSON.stringify(name)} carries nginx syntax but was not rejected`).to.include(name);
          if (errors.has(name)) continue;
          for (const { host, field } of pathsOf(ing)) {
            const isServed = isRouted(result.model, name, host, field);
            expect(isServed || mentioned.has(name), `${field} of ${name} is neither served nor explained by a diagnostic`).to.equal(true);
          }
        }

        // update() renders the same objects again, runs `nginx -t` on the result and reloads nginx.
        await server.update(objects);
        expect(server.config, 'the served config is the one checked').to.equal(result.rendered.config);
        counts.nginxConfigTests++;
        counts.routesRequested += await checkRoutes(server, options.routesPerRun);

        counts.runs++;
        counts.ingresses += ingresses.length;
        counts.hostileServicesAndSecrets += cluster.services.length + cluster.secrets.length;
        counts.annotationValues += cluster.ingresses.reduce((sum, g) => sum + Object.keys(g.annotations).length, 0);
        counts.rejected += ingresses.filter((ing) => errors.has(ing.metadata.name)).length;
        counts.servedIngresses += new Set(result.model.servers.flatMap((s) => s.locations.flatMap((l) => (l.route === undefined ? [] : [l.route.ingress.name])))).size;
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: true },
    );
  } finally {
    await served?.stop();
    await Promise.all(backends.map((backend) => backend.close()));
  }
  return { seed: options.seed, ...counts };
}

function hasSyntaxCharacter(ing: Ingress): boolean {
  const values = [
    ...ing.rules.flatMap((rule) => [rule.host ?? '', ...rule.paths.flatMap((p) => [p.path ?? '', p.backend?.serviceName ?? '', 'name' in (p.backend?.port ?? {}) ? String((p.backend?.port as { name: string }).name) : ''])]),
    ...ing.tls.flatMap((tls) => [...tls.hosts, tls.secretName ?? '']),
    ing.defaultBackend?.serviceName ?? '',
  ];
  return values.some((value) => syntaxCharacters.test(value));
}

/** Each path of an Ingress: its host (lower-cased, as served) and its field, which the model's routes name. */
function pathsOf(ing: Ingress): { host: string | undefined; field: string }[] {
  return ing.rules.flatMap((rule, i) => rule.paths.map((_, j) => ({ host: rule.host?.toLowerCase(), field: `spec.rules[${i}].http.paths[${j}]` })));
}

/** Whether the model routes this Ingress path on its host (the default server when there is none). */
function isRouted(model: NginxModel, ingress: string, host: string | undefined, field: string): boolean {
  const locations = host === undefined ? model.defaultServer.locations : (model.servers.find((s) => s.host === host)?.locations ?? []);
  return locations.some((l) => l.route?.ingress.name === ingress && l.route.field === field);
}

/**
 * Requests up to `limit` locations of the served model (spread over servers) through nginx and checks each
 * answer against explainRequest: the backend for a proxied route, the status otherwise. Returns the count.
 */
async function checkRoutes(served: ServedConfig, limit: number): Promise<number> {
  const model = served.model;
  const candidates: { host: string; path: string }[] = [];
  for (const server of model.servers) {
    const host = server.host.startsWith('*.') ? `any${server.host.slice(1)}` : server.host;
    for (const location of server.locations) candidates.push({ host, path: location.path });
  }
  for (const location of model.defaultServer.locations) candidates.push({ host: 'unmatched.invalid', path: location.path });
  // nginx resolves "." and ".." segments and merges slashes before it matches: those paths are never requested as written.
  const requestable = candidates.filter((c) => !/\/\.{1,2}(\/|$)|\/\//.test(c.path));
  const step = Math.max(1, Math.ceil(requestable.length / limit));
  let requested = 0;
  for (let i = 0; i < requestable.length && requested < limit; i += step) {
    const { host, path } = requestable[i] as { host: string; path: string };
    const explanation = explainRequest(model, served.diagnostics, { scheme: 'http', host, path, uri: path });
    const response = await httpRequest({ port: served.httpPort, host, path });
    const where = `http://${host}${path}`;
    switch (explanation.outcome.kind) {
      case 'proxy':
        expect(response.status, where).to.equal(200);
        expect(response.json<EchoResponse>().backend, where).to.equal(explanation.upstream?.service.name);
        break;
      case 'redirect':
        expect(response.status, where).to.equal(308);
        break;
      case 'status':
        expect(response.status, where).to.equal(explanation.outcome.status);
        break;
    }
    requested++;
  }
  return requested;
}

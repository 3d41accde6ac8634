// The build: Snapshot → NginxModel + Diagnostics, as a short list of pure steps (each in its own module).
import { compareDiagnostics, compareText, type Diagnostic } from '../model/diagnostic.js';
import { keyOf, refOf, type Ingress, type Service } from '../model/kube.js';
import { defaultAnnotationSettings, type AnnotationSettings } from '../annotations/annotation-settings.js';
import { readIngressAnnotations } from '../annotations/read-ingress-annotations.js';
import type { AnnotationPolicies } from '../annotations/registry.js';
import { noDirectives, type Directive } from '../model/directive.js';
import { hasNoPolicies } from '../annotations/apply-annotations.js';
import { collectScopedDirectives } from './collect-scoped-directives.js';
import { buildWwwTwins } from './build-www-twins.js';
import type { AuthFile, NginxModel, Upstream, UpstreamPolicy, VirtualServer } from '../model/nginx-model.js';
import type { ClassSettings } from '../model/settings.js';
import type { Snapshot } from '../model/snapshot.js';
import { makeAuthFileBinder } from './bind-auth-files.js';
import { bindTls } from './bind-tls.js';
import { buildErrorLocations } from './build-error-locations.js';
import { buildLocations } from './build-locations.js';
import { collectRoutes, hasRegexPaths, type HostRoutes, type PathRoute } from './collect-routes.js';
import { compareIngressAge } from './ingress-order.js';
import { readSettings, type SettingsSource } from './read-settings.js';
import { makeBackendResolver, type BackendResolution } from './resolve-backends.js';
import { selectIngresses } from './select-ingresses.js';
import { upstreamPolicyOf } from './upstream-policy.js';
import { validateIngress } from './validate-ingress.js';

export interface BuildOptions {
  readonly classes: ClassSettings;
  readonly settingsSource: SettingsSource;
  /** The prefix and defaults for annotations (the ConfigMap may override all but the prefix). */
  readonly annotations?: AnnotationSettings;
  /** The clock for certificate expiry; injected so builds are reproducible. */
  readonly now: Date;
}

export interface BuildResult {
  readonly model: NginxModel;
  /** Sorted by object, then field. */
  readonly diagnostics: readonly Diagnostic[];
}

const noRoutes: HostRoutes = { routes: [], exact: new Map(), prefix: new Map(), regex: new Map(), canaries: new Map() };

export function buildModel(snapshot: Snapshot, options: BuildOptions): BuildResult {
  const diagnostics: Diagnostic[] = [];
  const read = readSettings(snapshot.configMaps, options.settingsSource, options.annotations ?? defaultAnnotationSettings);
  const settings = read.settings;
  diagnostics.push(...read.diagnostics);

  const selection = selectIngresses(snapshot.ingresses, snapshot.ingressClasses, options.classes);
  diagnostics.push(...selection.diagnostics);
  const policies = new Map<Ingress, AnnotationPolicies>();
  const bindAuthFile = makeAuthFileBinder(snapshot.secrets, `metadata.annotations["${read.annotations.prefix}/auth-secret"]`);
  const authFiles = new Map<string, AuthFile>();
  const ingresses = selection.selected
    .filter((ingress) => {
      const annotations = readIngressAnnotations(ingress, read.annotations);
      const problems = validateIngress(ingress, { regexPaths: hasRegexPaths(annotations.policies) });
      diagnostics.push(...annotations.diagnostics, ...problems);
      policies.set(ingress, annotations.policies);
      if (problems.length > 0 || annotations.diagnostics.some((d) => d.severity === 'error')) return false;
      const basicAuth = annotations.policies['basic-auth'];
      if (basicAuth === undefined) return true;
      // Fail closed: an Ingress whose htpasswd Secret is missing or bad is not served at all.
      const binding = bindAuthFile(ingress, basicAuth);
      diagnostics.push(...binding.diagnostics);
      if (binding.file !== undefined) authFiles.set(binding.file.name, binding.file);
      return binding.file !== undefined;
    })
    .sort(compareIngressAge);
  const annotationsOf = (ingress: Ingress): AnnotationPolicies => policies.get(ingress) ?? {};

  const routes = collectRoutes(ingresses, annotationsOf);
  diagnostics.push(...routes.diagnostics);

  const servedHosts = new Set([...routes.byHost.keys()].filter((host) => host !== ''));
  const tls = bindTls(ingresses, snapshot.secrets, servedHosts, options.now);
  diagnostics.push(...tls.diagnostics);

  const resolver = makeBackendResolver(snapshot);
  const upstreams = new Map<string, Upstream>();
  const reported = new Set<string>();
  const upstreamPolicies = new Map<AnnotationPolicies, UpstreamPolicy | undefined>();
  const policyOf = (annotations: AnnotationPolicies): UpstreamPolicy | undefined => {
    if (hasNoPolicies(annotations)) return undefined;
    // One policy object per Ingress: the resolver memoizes on it.
    if (!upstreamPolicies.has(annotations)) upstreamPolicies.set(annotations, upstreamPolicyOf(annotations));
    return upstreamPolicies.get(annotations);
  };
  let services: ReadonlyMap<string, Service> | undefined;
  /** The upstream of the Ingress's default-backend annotation (the Service's first port), if it has one. */
  const resolveDefaultBackend = (route: PathRoute): BackendResolution => {
    const name = route.annotations['default-backend'];
    if (name === undefined) return { upstream: undefined, problem: undefined };
    services ??= new Map(snapshot.services.map((s) => [keyOf(s.metadata), s]));
    const namespace = route.ingress.metadata.namespace;
    const port = services.get(`${namespace}/${name}`)?.ports[0]?.port ?? 0;
    const resolution = resolver(namespace, { serviceName: name, port: { number: port } });
    if (resolution.upstream !== undefined && resolution.upstream.endpoints.length > 0) upstreams.set(resolution.upstream.name, resolution.upstream);
    return resolution;
  };
  const resolve = (route: PathRoute): BackendResolution => {
    let resolution = resolver(route.ingress.metadata.namespace, route.backend, policyOf(route.annotations));
    if (resolution.upstream === undefined || resolution.upstream.endpoints.length === 0) {
      const fallback = resolveDefaultBackend(route);
      if (fallback.upstream !== undefined && fallback.upstream.endpoints.length > 0 && resolution.problem !== undefined) {
        const why = resolution.problem.message.replace(/; its paths answer 503$/, '');
        resolution = { upstream: fallback.upstream, problem: { ...resolution.problem, message: `${why}; its paths go to the default-backend Service ${route.annotations['default-backend'] ?? ''}` } };
      }
    }
    if (resolution.upstream !== undefined) upstreams.set(resolution.upstream.name, resolution.upstream);
    const problem = resolution.problem;
    if (problem !== undefined) {
      const reportKey = `${keyOf(route.ingress.metadata)} ${problem.message}`;
      if (!reported.has(reportKey)) {
        reported.add(reportKey);
        diagnostics.push({ ...problem, object: refOf(route.ingress), field: `${route.field}${route.pathType === 'DefaultBackend' ? '' : '.backend'}` });
      }
    }
    return resolution;
  };

  const scoped = collectScopedDirectives(ingresses, annotationsOf);
  diagnostics.push(...scoped.diagnostics);
  const canarySelection: Directive[] = [];
  const servers: VirtualServer[] = [...servedHosts].sort().map((host) => {
    const binding = tls.byHost.get(host);
    const hostRoutes = routes.byHost.get(host) ?? noRoutes;
    const locations = buildLocations(hostRoutes, { hasTls: binding !== undefined, sslRedirect: settings.sslRedirect, resolve, httpDirectives: canarySelection });
    locations.push(...buildErrorLocations(hostRoutes.routes, resolveDefaultBackend));
    return { host, tls: binding, locations, directives: scoped.byHost.get(host) ?? noDirectives };
  });
  servers.push(...buildWwwTwins(ingresses, annotationsOf, servedHosts, tls.byHost, tls.certificates));
  servers.sort((a, b) => compareText(a.host, b.host));
  const catchAll = routes.byHost.get('') ?? noRoutes;
  const defaultServer = {
    locations: [
      ...buildLocations(catchAll, { hasTls: false, sslRedirect: settings.sslRedirect, resolve, httpDirectives: canarySelection }),
      ...buildErrorLocations(catchAll.routes, resolveDefaultBackend),
    ],
    directives: scoped.byHost.get('') ?? noDirectives,
  };

  return {
    model: {
      settings,
      servers,
      defaultServer,
      upstreams: [...upstreams.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
      certificates: tls.certificates,
      authFiles: [...authFiles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
      httpDirectives: canarySelection.length === 0 ? scoped.http : [...scoped.http, ...canarySelection],
    },
    diagnostics: diagnostics.sort(compareDiagnostics),
  };
}

// Step 5b of the build: what annotations add to servers and to the http{} block. A server-scope annotation
// set by several Ingresses on one host takes the oldest Ingress's value (the others get a diagnostic);
// internal locations (e.g. external auth's) and http{} directives that several Ingresses produce identically
// appear once.
import type { AnnotationEffect } from '../annotations/annotation.js';
import { hasNoPolicies } from '../annotations/apply-annotations.js';
import { annotationModules, type AnnotationPolicies } from '../annotations/registry.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Directive } from '../model/directive.js';
import { keyOf, refOf, type Ingress } from '../model/kube.js';

export interface ScopedDirectives {
  /** Server directives by host (`''`: the catch-all server), in module order. */
  readonly byHost: ReadonlyMap<string, readonly Directive[]>;
  readonly http: readonly Directive[];
  readonly diagnostics: readonly Diagnostic[];
}

/** `ingresses` sorted oldest first. */
export function collectScopedDirectives(ingresses: readonly Ingress[], annotationsOf: (ingress: Ingress) => AnnotationPolicies): ScopedDirectives {
  const claims = new Map<string, Map<string, { readonly ingress: Ingress; readonly directives: readonly Directive[] }>>();
  const http = new Map<string, Directive>();
  /** Internal locations by host, each once (keyed by its text as data). */
  const internal = new Map<string, Map<string, Directive>>();
  const diagnostics: Diagnostic[] = [];

  for (const ingress of ingresses) {
    const policies = annotationsOf(ingress);
    // A canary Ingress lends its backend to another Ingress's routes; its own server and http{} annotations are not used (as in ingress-nginx).
    if (hasNoPolicies(policies) || policies.canary !== undefined) continue;
    const hosts = new Set(ingress.rules.map((rule) => rule.host?.toLowerCase() ?? ''));
    if (ingress.defaultBackend !== undefined) hosts.add('');
    for (const module of annotationModules) {
      const value = (policies as Readonly<Record<string, unknown>>)[module.name];
      if (value === undefined) continue;
      const effect = module.effect as AnnotationEffect<unknown>;
      for (const host of [...hosts].sort()) {
        const context = { ingress: refOf(ingress), host };
        for (const d of effect.http?.(value, context) ?? []) http.set(JSON.stringify(d), d);
        for (const d of effect.internalLocations?.(value, context) ?? []) {
          let ofHost = internal.get(host);
          if (ofHost === undefined) internal.set(host, (ofHost = new Map()));
          ofHost.set(JSON.stringify(d), d);
        }
        const directives = effect.server?.(value, context) ?? [];
        if (directives.length === 0) continue;
        let ofHost = claims.get(host);
        if (ofHost === undefined) claims.set(host, (ofHost = new Map()));
        const winner = ofHost.get(module.name);
        if (winner === undefined) ofHost.set(module.name, { ingress, directives });
        else if (JSON.stringify(winner.directives) !== JSON.stringify(directives)) {
          diagnostics.push({
            severity: 'warning',
            code: 'ANNOTATION_CONFLICT',
            object: refOf(ingress),
            field: 'metadata.annotations',
            message: `the ${module.name} annotations of host ${host === '' ? '(rules without host)' : host} come from Ingress ${keyOf(winner.ingress.metadata)} (older); this Ingress's are ignored there`,
          });
        }
      }
    }
  }

  const order = annotationModules.map((m) => m.name as string);
  const byHost = new Map<string, readonly Directive[]>();
  for (const host of new Set([...claims.keys(), ...internal.keys()])) {
    const ofHost = claims.get(host) ?? new Map<string, { readonly directives: readonly Directive[] }>();
    const directives = [...ofHost].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).flatMap(([, claim]) => claim.directives);
    byHost.set(host, [...directives, ...(internal.get(host)?.values() ?? [])]);
  }
  return { byHost, http: [...http.values()], diagnostics };
}

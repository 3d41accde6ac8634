// The directives annotations add to a location, a server and the http{} block, in module order. Build steps
// call these; modules never see the model.
import type { Directive } from '../model/directive.js';
import { noDirectives } from '../model/directive.js';
import type { AnnotationEffect, LocationContext, ServerContext } from './annotation.js';
import { annotationModules, type AnnotationPolicies } from './registry.js';

type EffectOf<C> = ((value: unknown, context: C) => readonly Directive[]) | undefined;

function collect<C>(policies: AnnotationPolicies, pick: (effect: AnnotationEffect<unknown>) => EffectOf<C>, context: C): readonly Directive[] {
  if (hasNoPolicies(policies)) return noDirectives;
  let found: Directive[] | undefined;
  for (const module of annotationModules) {
    const value = (policies as Readonly<Record<string, unknown>>)[module.name];
    const apply = value === undefined ? undefined : pick(module.effect as AnnotationEffect<unknown>);
    if (apply === undefined) continue;
    const directives = apply(value, context);
    if (directives.length > 0) (found ??= []).push(...directives);
  }
  return found ?? noDirectives;
}

/** Whether an Ingress sets no annotation Portico reads: its locations then need no look at the modules. */
export function hasNoPolicies(policies: AnnotationPolicies): boolean {
  for (const key in policies) if (Object.hasOwn(policies, key)) return false;
  return true;
}

export function locationDirectives(policies: AnnotationPolicies, context: LocationContext): readonly Directive[] {
  return collect(policies, (e) => e.location, context);
}

export function serverDirectives(policies: AnnotationPolicies, context: ServerContext): readonly Directive[] {
  return collect(policies, (e) => e.server, context);
}

export function httpDirectives(policies: AnnotationPolicies, context: ServerContext): readonly Directive[] {
  return collect(policies, (e) => e.http, context);
}

// Step 1 of the build: which Ingresses belong to this controller (IngressClass, legacy annotation, default class).
import type { Diagnostic } from '../model/diagnostic.js';
import { refOf, type Ingress, type IngressClass } from '../model/kube.js';
import type { ClassSettings } from '../model/settings.js';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface IngressSelection {
  readonly selected: readonly Ingress[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * An Ingress is ours when the class it names (legacy annotation first, as ingress-nginx reads it, then
 * spec.ingressClassName) is an IngressClass of our controller, or is our class name and no IngressClass of
 * that name says otherwise. An Ingress naming no class is ours when one of our IngressClasses is the
 * cluster default, or when the operator asks for class-less Ingresses.
 */
export function selectIngresses(
  ingresses: readonly Ingress[],
  ingressClasses: readonly IngressClass[],
  settings: ClassSettings,
): IngressSelection {
  const classesByName = new Map(ingressClasses.map((c) => [c.metadata.name, c]));
  const isClaimed = (className: string): boolean => settings.claimIngressClass === true && className === settings.ingressClass;
  const isOurs = (className: string): boolean => {
    const ingressClass = classesByName.get(className);
    if (ingressClass === undefined) return className === settings.ingressClass;
    return ingressClass.controller === settings.controllerClass || isClaimed(className);
  };
  const isDefaultOurs = ingressClasses.some(
    (c) => (c.controller === settings.controllerClass || isClaimed(c.metadata.name)) && c.metadata.annotations[DEFAULT_CLASS_ANNOTATION] === 'true',
  );

  const selected: Ingress[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const ingress of ingresses) {
    const className = ingress.metadata.annotations[LEGACY_CLASS_ANNOTATION] ?? ingress.ingressClassName;
    if (className === undefined) {
      if (isDefaultOurs || settings.watchIngressWithoutClass) selected.push(ingress);
      else diagnostics.push(ignored(ingress, 'it names no IngressClass and no IngressClass of this controller is the default'));
    } else if (isOurs(className)) {
      selected.push(ingress);
    } else {
      diagnostics.push(ignored(ingress, `its class "${className}" belongs to another controller`));
    }
  }
  return { selected, diagnostics };
}

function ignored(ingress: Ingress, reason: string): Diagnostic {
  return { severity: 'info', code: 'IGNORED_CLASS', object: refOf(ingress), field: '', message: `ignored: ${reason}` };
}

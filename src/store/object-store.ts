// The object store: every object the sources deliver, one typed index per kind. apply() answers "does this
// change matter?" so that a burst of irrelevant events (another class's Ingress, a Service nobody routes to,
// a relist that re-delivers what we have) never costs a rebuild or a reload.
import { isDeepStrictEqual } from 'node:util';
import { selectIngresses } from '../build/select-ingresses.js';
import type { ConfigMap, EndpointSlice, Endpoints, Ingress, IngressClass, KubeObject, ObjectKind, Secret, Service } from '../model/kube.js';
import type { ClassSettings } from '../model/settings.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SettingsSource } from '../build/read-settings.js';
import { DEFAULT_ANNOTATIONS_PREFIX } from '../annotations/annotation-settings.js';
import { objectName } from '../annotations/grammars.js';

export type ObjectChange =
  | { readonly type: 'upsert'; readonly object: KubeObject }
  | { readonly type: 'delete'; readonly kind: ObjectKind; readonly namespace: string; readonly name: string }
  /** Everything of one kind, as after a (re)list: objects not in the list are deleted. */
  | { readonly type: 'replace'; readonly kind: ObjectKind; readonly objects: readonly KubeObject[] };

export interface StoreOptions {
  readonly classes: ClassSettings;
  readonly settingsSource: SettingsSource;
  /** Where the auth-secret annotation is read; `nginx.ingress.kubernetes.io` unless said otherwise. */
  readonly annotationsPrefix?: string;
}

type ObjectOf<K extends ObjectKind> = Extract<KubeObject, { kind: K }>;

export class ObjectStore {
  readonly #options: StoreOptions;
  readonly #indexes: { [K in ObjectKind]: Map<string, ObjectOf<K>> } = {
    Ingress: new Map<string, Ingress>(),
    IngressClass: new Map<string, IngressClass>(),
    Service: new Map<string, Service>(),
    Endpoints: new Map<string, Endpoints>(),
    EndpointSlice: new Map<string, EndpointSlice>(),
    Secret: new Map<string, Secret>(),
    ConfigMap: new Map<string, ConfigMap>(),
  };
  /** What our Ingresses refer to (`namespace/name`), rebuilt when Ingresses or classes change. */
  #references: { services: Set<string>; secrets: Set<string> } | undefined;

  constructor(options: StoreOptions) {
    this.#options = options;
  }

  /** Applies a change; true when the next build could differ because of it. */
  apply(change: ObjectChange): boolean {
    if (change.type === 'replace') {
      const index = this.#index(change.kind);
      const incoming = new Set(change.objects.map(keyOfObject));
      let isRelevant = false;
      for (const key of [...index.keys()]) {
        if (!incoming.has(key)) isRelevant = this.#remove(change.kind, key) || isRelevant;
      }
      for (const object of change.objects) isRelevant = this.#upsert(object) || isRelevant;
      return isRelevant;
    }
    if (change.type === 'delete') return this.#remove(change.kind, change.namespace === '' ? change.name : `${change.namespace}/${change.name}`);
    return this.#upsert(change.object);
  }

  snapshot(): Snapshot {
    const all = <K extends ObjectKind>(kind: K): ObjectOf<K>[] => [...this.#indexes[kind].values()] as ObjectOf<K>[];
    return {
      ingresses: all('Ingress'),
      ingressClasses: all('IngressClass'),
      services: all('Service'),
      endpointSlices: all('EndpointSlice'),
      endpoints: all('Endpoints'),
      secrets: all('Secret'),
      configMaps: all('ConfigMap'),
    };
  }

  /** How many objects of each kind, for metrics. */
  counts(): Record<ObjectKind, number> {
    const counts = {} as Record<ObjectKind, number>;
    for (const [kind, index] of Object.entries(this.#indexes)) counts[kind as ObjectKind] = index.size;
    return counts;
  }

  #index(kind: ObjectKind): Map<string, KubeObject> {
    return this.#indexes[kind] as Map<string, KubeObject>;
  }

  #upsert(object: KubeObject): boolean {
    const index = this.#index(object.kind);
    const key = keyOfObject(object);
    const previous = index.get(key);
    // A relist or a reconnect re-delivers unchanged objects: they must not cause a rebuild.
    if (previous !== undefined && isDeepStrictEqual(previous, object)) return false;
    const wasRelevant = previous !== undefined && this.#isRelevant(previous);
    index.set(key, object);
    if (object.kind === 'Ingress' || object.kind === 'IngressClass') this.#references = undefined;
    return wasRelevant || this.#isRelevant(object);
  }

  #remove(kind: ObjectKind, key: string): boolean {
    const index = this.#index(kind);
    const previous = index.get(key);
    if (previous === undefined) return false;
    const wasRelevant = this.#isRelevant(previous);
    index.delete(key);
    if (kind === 'Ingress' || kind === 'IngressClass') this.#references = undefined;
    return wasRelevant;
  }

  /** Whether an object can change what we serve, given the Ingresses we serve now. */
  #isRelevant(object: KubeObject): boolean {
    switch (object.kind) {
      case 'IngressClass':
        return true;
      case 'Ingress':
        return this.#isOurs(object);
      case 'Service':
      case 'Endpoints':
        return this.#referenced().services.has(`${object.metadata.namespace}/${object.metadata.name}`);
      case 'EndpointSlice':
        return this.#referenced().services.has(`${object.metadata.namespace}/${object.serviceName}`);
      case 'Secret':
        return this.#referenced().secrets.has(`${object.metadata.namespace}/${object.metadata.name}`);
      case 'ConfigMap': {
        const source = this.#options.settingsSource;
        return object.metadata.name === source.name && (source.namespace === undefined || object.metadata.namespace === source.namespace);
      }
    }
  }

  #isOurs(ingress: Ingress): boolean {
    return selectIngresses([ingress], [...this.#indexes.IngressClass.values()], this.#options.classes).selected.length === 1;
  }

  #referenced(): { services: Set<string>; secrets: Set<string> } {
    if (this.#references === undefined) {
      const services = new Set<string>();
      const secrets = new Set<string>();
      const ours = selectIngresses([...this.#indexes.Ingress.values()], [...this.#indexes.IngressClass.values()], this.#options.classes);
      for (const ingress of ours.selected) {
        const namespace = ingress.metadata.namespace;
        if (ingress.defaultBackend !== undefined) services.add(`${namespace}/${ingress.defaultBackend.serviceName}`);
        for (const rule of ingress.rules) for (const path of rule.paths) if (path.backend !== undefined) services.add(`${namespace}/${path.backend.serviceName}`);
        for (const tls of ingress.tls) if (tls.secretName !== undefined) secrets.add(`${namespace}/${tls.secretName}`);
        const authSecret = this.#authSecretOf(ingress);
        if (authSecret !== undefined) secrets.add(`${namespace}/${authSecret}`);
      }
      this.#references = { services, secrets };
    }
    return this.#references;
  }

  /**
   * The basic-auth Secret an Ingress names, read as the annotation module reads it (own namespace only), so
   * an Opaque Secret matters only when one of our Ingresses uses it.
   */
  #authSecretOf(ingress: Ingress): string | undefined {
    const raw = ingress.metadata.annotations[`${this.#options.annotationsPrefix ?? DEFAULT_ANNOTATIONS_PREFIX}/auth-secret`];
    const parsed = raw === undefined ? undefined : objectName.parse(raw.trim());
    if (parsed === undefined || (parsed.namespace !== undefined && parsed.namespace !== ingress.metadata.namespace)) return undefined;
    return parsed.name;
  }
}

function keyOfObject(object: KubeObject): string {
  return object.metadata.namespace === '' ? object.metadata.name : `${object.metadata.namespace}/${object.metadata.name}`;
}


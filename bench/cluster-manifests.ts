// Turns a generated cluster (our normalized objects) back into Kubernetes manifests, one YAML file per
// namespace, with every endpoint moved onto a handful of loopback echo backends so requests can be verified.
import { stringify } from 'yaml';
import type { EndpointSlice, Ingress, IngressBackend, KubeObject, ObjectMeta, Service } from '../src/model/kube.js';

/**
 * Replaces each EndpointSlice's addresses with loopback ones (distinct within a slice, taken in turn from
 * `addresses`) and its ports, and numeric Service target ports, with `port`: the echo backends listen there.
 */
export function onLoopback(objects: readonly KubeObject[], addresses: readonly string[], port: number): KubeObject[] {
  let next = 0;
  return objects.map((object): KubeObject => {
    if (object.kind === 'EndpointSlice') {
      if (object.endpoints.length > addresses.length) throw new Error(`a slice has ${object.endpoints.length} endpoints, more than the ${addresses.length} loopback addresses`);
      const start = next;
      next += 1;
      return {
        ...object,
        endpoints: object.endpoints.map((endpoint, i) => ({ ...endpoint, addresses: [addresses[(start + i) % addresses.length] as string] })),
        ports: object.ports.map((p) => ({ ...p, port })),
      } satisfies EndpointSlice;
    }
    if (object.kind === 'Service') {
      return { ...object, ports: object.ports.map((p) => ({ ...p, targetPort: typeof p.targetPort === 'number' ? port : p.targetPort })) } satisfies Service;
    }
    return object;
  });
}

/** The file each object lives in: `<namespace>.yaml`, cluster-scoped objects in `_cluster.yaml`. */
export function fileOf(object: KubeObject): string {
  return object.metadata.namespace === '' ? '_cluster.yaml' : `${object.metadata.namespace}.yaml`;
}

/** Objects grouped by file, in their original order. */
export function groupByFile(objects: readonly KubeObject[]): Map<string, KubeObject[]> {
  const files = new Map<string, KubeObject[]>();
  for (const object of objects) {
    const file = fileOf(object);
    const list = files.get(file);
    if (list === undefined) files.set(file, [object]);
    else list.push(object);
  }
  return files;
}

/** A multi-document YAML file, as `kubectl get -o yaml` would roughly write it (Secret data base64). */
export function manifestText(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(toManifest(object), { lineWidth: 0 })).join('---\n');
}

/** The inverse of normalizeObject: parsing the result gives back an equal object. */
export function toManifest(object: KubeObject): Record<string, unknown> {
  const metadata = metadataOf(object.metadata);
  switch (object.kind) {
    case 'Ingress':
      return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec: ingressSpec(object) };
    case 'IngressClass':
      return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata, spec: { controller: object.controller } };
    case 'Service':
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: {
          type: object.type,
          ...(object.clusterIP === undefined ? {} : { clusterIP: object.clusterIP }),
          ...(object.externalName === undefined ? {} : { externalName: object.externalName }),
          ports: object.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
          sessionAffinity: object.sessionAffinity,
        },
      };
    case 'EndpointSlice':
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata,
        addressType: object.addressType,
        endpoints: object.endpoints.map((e) => ({ addresses: [...e.addresses], conditions: { ready: e.ready } })),
        ports: object.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
      };
    case 'Endpoints':
      return {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata,
        subsets: object.subsets.map((s) => ({
          addresses: s.readyAddresses.map((ip) => ({ ip })),
          notReadyAddresses: s.notReadyAddresses.map((ip) => ({ ip })),
          ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
        })),
      };
    case 'Secret':
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        type: object.type,
        data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
      };
    case 'ConfigMap':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { ...object.data } };
  }
}

function metadataOf(meta: ObjectMeta): Record<string, unknown> {
  return {
    name: meta.name,
    ...(meta.namespace === '' ? {} : { namespace: meta.namespace }),
    ...(meta.creationTimestamp === '' ? {} : { creationTimestamp: meta.creationTimestamp }),
    ...(Object.keys(meta.labels).length === 0 ? {} : { labels: { ...meta.labels } }),
    ...(Object.keys(meta.annotations).length === 0 ? {} : { annotations: { ...meta.annotations } }),
  };
}

function ingressSpec(ingress: Ingress): Record<string, unknown> {
  const backend = (b: IngressBackend): Record<string, unknown> => ({ service: { name: b.serviceName, port: 'number' in b.port ? { number: b.port.number } : { name: b.port.name } } });
  return {
    ...(ingress.ingressClassName === undefined ? {} : { ingressClassName: ingress.ingressClassName }),
    ...(ingress.defaultBackend === undefined ? {} : { defaultBackend: backend(ingress.defaultBackend) }),
    ...(ingress.rules.length === 0
      ? {}
      : {
          rules: ingress.rules.map((rule) => ({
            ...(rule.host === undefined ? {} : { host: rule.host }),
            http: {
              paths: rule.paths.map((p) => {
                if (p.backend === undefined) throw new Error('resource backends are not generated');
                return { ...(p.path === undefined ? {} : { path: p.path }), pathType: p.pathType, backend: backend(p.backend) };
              }),
            },
          })),
        }),
    ...(ingress.tls.length === 0 ? {} : { tls: ingress.tls.map((t) => ({ hosts: [...t.hosts], ...(t.secretName === undefined ? {} : { secretName: t.secretName }) })) }),
  };
}

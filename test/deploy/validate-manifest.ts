// Checks a manifest object against the Kubernetes API schemas, offline: types, required fields, enums and
// formats with the kubernetes-models package (JSON schemas compiled from the Kubernetes OpenAPI spec), and
// unknown fields (which the API server rejects or drops, and that schema allows) against the field lists of
// @kubernetes/client-node's generated models, which come from the same spec.
import * as kubernetes from '@kubernetes/client-node';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { ManifestObject } from './kustomize-build.js';

type Validating = new (data: object) => { validate(): void };

/** The kinds deploy/ uses, by apiVersion and kind; a kind not listed here is itself a failure. */
const MODELS: Readonly<Record<string, Validating>> = Object.fromEntries(
  (
    [
      ['v1', 'Namespace', Namespace],
      ['v1', 'ServiceAccount', ServiceAccount],
      ['v1', 'ConfigMap', ConfigMap],
      ['v1', 'Service', Service],
      ['apps/v1', 'Deployment', Deployment],
      ['apps/v1', 'DaemonSet', DaemonSet],
      ['networking.k8s.io/v1', 'IngressClass', IngressClass],
      ['policy/v1', 'PodDisruptionBudget', PodDisruptionBudget],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', ClusterRole],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', ClusterRoleBinding],
      ['rbac.authorization.k8s.io/v1', 'Role', Role],
      ['rbac.authorization.k8s.io/v1', 'RoleBinding', RoleBinding],
    ] as const
  ).map(([apiVersion, kind, model]) => [`${apiVersion} ${kind}`, model as unknown as Validating]),
);

/** Leaf types of the client's models: values checked by the schema, with no fields of their own. */
const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

/** Every problem with `object`, each naming the field; empty when the API server would accept it as written. */
export function validateManifest(object: ManifestObject): string[] {
  const model = MODELS[`${object.apiVersion} ${object.kind}`];
  if (model === undefined) return [`${object.apiVersion} ${object.kind} is not a kind these tests know`];
  const problems: string[] = [];
  try {
    new model(object).validate();
  } catch (error) {
    problems.push(...String(error instanceof Error ? error.message : error).split(', '));
  }
  const version = object.apiVersion.split('/').pop() ?? '';
  problems.push(...unknownFields(object, `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`, ''));
  return problems;
}

function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined || LEAF_TYPES.has(type)) return [];
  const arrayOf = /^Array<(.+)>$/.exec(type)?.[1];
  if (arrayOf !== undefined) return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, arrayOf, `${path}[${index}]`)) : [];
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type)?.[1];
  if (mapOf !== undefined) {
    return typeof value === 'object' ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, mapOf, `${path}.${key}`)) : [];
  }
  const attributes = attributesOf(type);
  if (typeof value !== 'object' || Array.isArray(value)) return []; // a type error, which the schema reports
  return Object.entries(value).flatMap(([key, item]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    return attribute === undefined ? [`${path === '' ? '' : `${path}.`}${key}: unknown field (${type})`] : unknownFields(item, attribute.type, `${path === '' ? '' : `${path}.`}${key}`);
  });
}

function attributesOf(type: string): readonly Attribute[] {
  const model = (kubernetes as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>)[type];
  const attributes = model?.getAttributeTypeMap?.();
  if (attributes === undefined) throw new Error(`the Kubernetes client has no model ${type}`);
  return attributes;
}

// The Lease the election runs on, read and written through the Kubernetes API (CoordinationV1Api).
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { LeaseRecord, LeaseSpec } from './decide-lease.js';
import { LeaseConflictError, type LeaseClient } from './lease-elector.js';

export function kubernetesLeaseClient(config: KubeConfig, namespace: string, name: string): LeaseClient {
  const api = config.makeApiClient(CoordinationV1Api);
  const bodyOf = (spec: LeaseSpec, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: new V1MicroTime(spec.acquireTime.getTime()),
      renewTime: new V1MicroTime(spec.renewTime.getTime()),
      leaseTransitions: spec.leaseTransitions,
    },
  });
  return {
    async read() {
      try {
        return recordOf(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    create: (spec) => conflictAware(async () => recordOf(await api.createNamespacedLease({ namespace, body: bodyOf(spec) }))),
    update: (spec, resourceVersion) =>
      conflictAware(async () => recordOf(await api.replaceNamespacedLease({ name, namespace, body: bodyOf(spec, resourceVersion) }))),
  };
}

async function conflictAware(write: () => Promise<LeaseRecord>): Promise<LeaseRecord> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) throw new LeaseConflictError('the Lease was written by another replica');
    throw error;
  }
}

function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: dateOf(spec.acquireTime),
    renewTime: dateOf(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

function dateOf(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// Ingress status planning: which Ingresses are served, what their status should say, and which differ.
import { expect } from 'chai';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { defaultClassSettings } from '../../../src/model/settings.js';
import type { ObjectRef } from '../../../src/model/kube.js';
import {
  entryKey,
  loadBalancerOf,
  planStatusUpdates,
  servedIngresses,
  type CurrentStatus,
} from '../../../src/status/plan-status-updates.js';
import { ingress } from '../../support/objects.js';

const ref = (name: string, namespace = 'default'): ObjectRef => ({ kind: 'Ingress', namespace, name });
const web = { rules: [{ host: 'web.test', paths: [{ service: 'web' }] }] };

describe('servedIngresses', () => {
  it('serves ours by class and not rejected, sorted; reports ours that were rejected', () => {
    const snapshot = snapshotOf([
      ingress('b', web),
      ingress('a', { ...web, namespace: 'shop' }),
      ingress('other', { ...web, className: 'nginx' }),
      ingress('bad', { rules: [{ host: 'bad.test', paths: [{ path: 'no-slash', service: 'web' }] }] }),
    ]);
    const { served, rejected } = servedIngresses(snapshot, defaultClassSettings);
    expect(served).to.deep.equal([ref('b'), ref('a', 'shop')]);
    expect(rejected).to.deep.equal([ref('bad')]);
  });
});

describe('planStatusUpdates', () => {
  const status = (resourceVersion: string, ...entries: { ip?: string; hostname?: string; ports?: unknown }[]): CurrentStatus => ({
    resourceVersion,
    entries: entries.map(entryKey),
  });

  it('writes IPs as ip and names as hostname, sorted and unique', () => {
    expect(loadBalancerOf(['lb.example.com', '2001:db8::1', '192.0.2.1', '192.0.2.1'])).to.deep.equal([
      { ip: '192.0.2.1' },
      { ip: '2001:db8::1' },
      { hostname: 'lb.example.com' },
    ]);
  });

  it('writes only the Ingresses whose status differs, on the version read', () => {
    const current = new Map<string, CurrentStatus>([
      ['same', status('1', { ip: '192.0.2.2' }, { ip: '192.0.2.1' })],
      ['empty', status('2')],
      ['other', status('3', { ip: '198.51.100.1' })],
      ['ports', status('4', { ip: '192.0.2.1' }, { ip: '192.0.2.2', ports: [{ port: 80, protocol: 'TCP' }] })],
    ]);
    const updates = planStatusUpdates(
      ['same', 'empty', 'other', 'ports', 'unknown'].map((name) => ref(name)),
      (ingress) => current.get(ingress.name),
      ['192.0.2.1', '192.0.2.2'],
    );
    expect(updates.map((u) => `${u.ingress.name}@${u.basedOn}`)).to.deep.equal(['empty@2', 'other@3', 'ports@4']);
    expect(updates[0]?.loadBalancer).to.deep.equal([{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }]);
  });

  it('clears with an empty list, leaving Ingresses whose status is already empty alone', () => {
    const current = new Map([['set', status('1', { hostname: 'lb.example.com' })], ['unset', status('2')]]);
    const updates = planStatusUpdates([ref('set'), ref('unset')], (ingress) => current.get(ingress.name), []);
    expect(updates).to.deep.equal([{ ingress: ref('set'), loadBalancer: [], basedOn: '1' }]);
  });
});

// Publish addresses: load balancer first, then external IPs, then (NodePort) the nodes of running controller pods.
import { expect } from 'chai';
import {
  addressesOfNodes,
  addressesOfService,
  hasOtherRunningPod,
  nodeNamesOf,
  parseStatusAddresses,
  type PublishService,
} from '../../../src/status/publish-addresses.js';

const service = (extra: Partial<PublishService>): PublishService => ({ type: 'LoadBalancer', loadBalancer: [], externalIPs: [], selector: {}, ...extra });

describe('publish addresses', () => {
  it("takes the load balancer's addresses (IPs and host names), sorted, before external IPs", () => {
    expect(addressesOfService(service({ loadBalancer: ['lb.example.com', '192.0.2.2', '192.0.2.1'], externalIPs: ['198.51.100.1'] }))).to.deep.equal({
      kind: 'addresses',
      addresses: ['192.0.2.1', '192.0.2.2', 'lb.example.com'],
    });
  });

  it('falls back to spec.externalIPs', () => {
    expect(addressesOfService(service({ type: 'NodePort', externalIPs: ['198.51.100.2', '198.51.100.1'] }))).to.deep.equal({
      kind: 'addresses',
      addresses: ['198.51.100.1', '198.51.100.2'],
    });
  });

  it('asks for node addresses for a NodePort Service without either', () => {
    expect(addressesOfService(service({ type: 'NodePort' }))).to.deep.equal({ kind: 'nodes' });
  });

  it('publishes nothing for a LoadBalancer still pending or a ClusterIP Service', () => {
    expect(addressesOfService(service({}))).to.deep.equal({ kind: 'addresses', addresses: [] });
    expect(addressesOfService(service({ type: 'ClusterIP' }))).to.deep.equal({ kind: 'addresses', addresses: [] });
  });

  it('names each node of a running, scheduled pod once', () => {
    const pods = [
      { name: 'a', nodeName: 'node-2', isRunning: true },
      { name: 'b', nodeName: 'node-1', isRunning: true },
      { name: 'c', nodeName: 'node-2', isRunning: true },
      { name: 'd', nodeName: 'node-3', isRunning: false },
      { name: 'e', nodeName: undefined, isRunning: true },
    ];
    expect(nodeNamesOf(pods)).to.deep.equal(['node-1', 'node-2']);
  });

  it("takes each node's ExternalIP addresses, else its InternalIP ones", () => {
    const nodes = [
      { name: 'node-1', externalIPs: ['203.0.113.1'], internalIPs: ['10.0.0.1'] },
      { name: 'node-2', externalIPs: [], internalIPs: ['10.0.0.2'] },
      { name: 'node-3', externalIPs: ['203.0.113.1'], internalIPs: [] },
    ];
    expect(addressesOfNodes(nodes)).to.deep.equal(['10.0.0.2', '203.0.113.1']);
  });

  it('sees another replica only in a running pod other than itself', () => {
    const pods = [
      { name: 'self', nodeName: 'n', isRunning: true },
      { name: 'old', nodeName: 'n', isRunning: false },
    ];
    expect(hasOtherRunningPod(pods, 'self')).to.equal(false);
    expect(hasOtherRunningPod([...pods, { name: 'new', nodeName: 'n', isRunning: true }], 'self')).to.equal(true);
  });

  it('parses --publish-status-address: trimmed, no empties, sorted, unique', () => {
    expect(parseStatusAddresses(' 192.0.2.9, lb.example.com,,192.0.2.9 ')).to.deep.equal(['192.0.2.9', 'lb.example.com']);
  });
});

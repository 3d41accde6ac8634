// Which addresses Portico publishes into Ingress status, from the publish Service: its load balancer's
// addresses, else its external IPs, else (NodePort) the addresses of the nodes its controller pods run on.
// Pure: the adapter reads the Service, pods and nodes and normalizes them into these types.

/** The publish Service, normalized. */
export interface PublishService {
  readonly type: string;
  /** status.loadBalancer.ingress: each entry's ip, else its hostname. */
  readonly loadBalancer: readonly string[];
  readonly externalIPs: readonly string[];
  /** spec.selector: how the controller pods behind it are found. */
  readonly selector: Readonly<Record<string, string>>;
}

export interface PodPlacement {
  readonly name: string;
  /** spec.nodeName; undefined while unscheduled. */
  readonly nodeName: string | undefined;
  /** Phase Running and not being deleted. */
  readonly isRunning: boolean;
}

export interface NodeAddresses {
  readonly name: string;
  readonly externalIPs: readonly string[];
  readonly internalIPs: readonly string[];
}

/** The addresses a Service gives directly, or `nodes`: ask the nodes of its pods (a NodePort Service). */
export type ServiceAddresses = { readonly kind: 'addresses'; readonly addresses: readonly string[] } | { readonly kind: 'nodes' };

export function addressesOfService(service: PublishService): ServiceAddresses {
  if (service.loadBalancer.length > 0) return { kind: 'addresses', addresses: sortedUnique(service.loadBalancer) };
  if (service.externalIPs.length > 0) return { kind: 'addresses', addresses: sortedUnique(service.externalIPs) };
  if (service.type === 'NodePort') return { kind: 'nodes' };
  // A LoadBalancer still waiting for its address, or a ClusterIP Service: nothing to publish (yet).
  return { kind: 'addresses', addresses: [] };
}

/** The nodes running controller pods, each once, sorted. */
export function nodeNamesOf(pods: readonly PodPlacement[]): string[] {
  return sortedUnique(pods.flatMap((pod) => (pod.isRunning && pod.nodeName !== undefined && pod.nodeName !== '' ? [pod.nodeName] : [])));
}

/** Per node its ExternalIP addresses, else its InternalIP ones (clusters without external node addresses). */
export function addressesOfNodes(nodes: readonly NodeAddresses[]): string[] {
  return sortedUnique(nodes.flatMap((node) => (node.externalIPs.length > 0 ? node.externalIPs : node.internalIPs)));
}

/** Pods other than `self` that run and will go on running: another replica is there to keep publishing. */
export function hasOtherRunningPod(pods: readonly PodPlacement[], self: string): boolean {
  return pods.some((pod) => pod.isRunning && pod.name !== self);
}

/** `--publish-status-address 192.0.2.1,lb.example.com`: trimmed, without empties, sorted. */
export function parseStatusAddresses(text: string): string[] {
  return sortedUnique(text.split(',').map((address) => address.trim()).filter((address) => address !== ''));
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

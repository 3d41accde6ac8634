// Step 4a of the build: the upstream policy an Ingress's annotations ask for (backend-protocol, load-balance,
// upstream-hash-by, cookie affinity, service-upstream), and the deterministic name suffix that keeps one
// upstream per (Service, port, policy): two Ingresses that balance one Service differently get two upstreams.
import { createHash } from 'node:crypto';
import type { AnnotationPolicies } from '../annotations/registry.js';
import type { UpstreamBalancing, UpstreamPolicy } from '../model/nginx-model.js';

/** The policy of an Ingress's upstreams; undefined when its annotations change nothing about them. */
export function upstreamPolicyOf(annotations: AnnotationPolicies): UpstreamPolicy | undefined {
  const protocol = annotations['backend-protocol'] ?? 'http';
  const target = annotations['service-upstream'] === true ? 'service' : 'endpoints';
  const balancing = balancingOf(annotations);
  if (protocol === 'http' && target === 'endpoints' && balancing.kind === 'round-robin') return undefined;
  // With the ClusterIP as the only server, kube-proxy balances: a balancing method would only split names.
  return { protocol, target, balancing: target === 'service' ? roundRobin : balancing };
}

const roundRobin: UpstreamBalancing = { kind: 'round-robin' };
const leastConn: UpstreamBalancing = { kind: 'least-conn' };

/** Cookie affinity, then upstream-hash-by, then load-balance: ingress-nginx's precedence. */
function balancingOf(annotations: AnnotationPolicies): UpstreamBalancing {
  const affinity = annotations['affinity'];
  if (affinity !== undefined) return { kind: 'cookie', cookie: affinity.cookie.name };
  const hashBy = annotations['upstream-hash-by'];
  if (hashBy !== undefined) return { kind: 'hash', key: hashBy };
  return annotations['load-balance'] === 'ewma' ? leastConn : roundRobin;
}

/**
 * `_https_leastconn`, `_grpc_hash-1a2b3c4d`…: readable, deterministic, and made of characters no
 * namespace, Service or port has, so `namespace_service_port` plus a suffix never meets another name.
 */
export function upstreamPolicySuffix(policy: UpstreamPolicy | undefined): string {
  if (policy === undefined) return '';
  const parts: string[] = [];
  if (policy.protocol !== 'http') parts.push(policy.protocol);
  if (policy.target === 'service') parts.push('service');
  const balancing = policy.balancing;
  if (balancing.kind === 'least-conn') parts.push('leastconn');
  else if (balancing.kind === 'hash') parts.push(`hash-${shortHash(balancing.key.text)}`);
  else if (balancing.kind === 'cookie') parts.push(`cookie-${shortHash(balancing.cookie)}`);
  return parts.map((p) => `_${p}`).join('');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

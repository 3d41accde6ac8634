// limit-rps, limit-rpm, limit-connections, limit-burst-multiplier, limit-allowlist (formerly limit-whitelist):
// per-client request and connection limits on the paths of an Ingress, as ingress-nginx builds them: one
// shared zone per Ingress and kind at http{} level keyed on the client address, `limit_req … nodelay` and
// `limit_conn` in the locations. Exempted addresses get an empty key through a `geo` and a `map`, which
// nginx does not count.
import { createHash } from 'node:crypto';
import { directive, geoBlock, keyword, literal, mapBlock, variable, type Directive } from '../../model/directive.js';
import type { ObjectRef } from '../../model/kube.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { cidrNetwork, integer, listOf } from '../grammars.js';

const rps = annotationKey('limit-rps', integer(0, 100_000), 'Requests per second each client address may make; 0 is no limit.');
const rpm = annotationKey('limit-rpm', integer(0, 6_000_000), 'Requests per minute each client address may make; 0 is no limit.');
const connections = annotationKey('limit-connections', integer(0, 100_000), 'Requests each client address may have in progress at once; 0 is no limit.');
const burstMultiplier = annotationKey('limit-burst-multiplier', integer(1, 1000), 'The burst a client may make above the rate, as a multiple of the rate.', '5');
const exemptRanges = listOf(cidrNetwork, 1024);
const allowlist = annotationKey('limit-allowlist', exemptRanges, 'Client addresses or CIDR blocks the limits never apply to.');
const whitelist = annotationKey('limit-whitelist', exemptRanges, 'The former name of limit-allowlist; the same meaning.');

/** Shared memory per zone, as ingress-nginx sizes it: about 40,000 client addresses in each. */
const ZONE_SIZE = '5m';

export interface RateLimits {
  readonly rps: number | undefined;
  readonly rpm: number | undefined;
  readonly connections: number | undefined;
  readonly burstMultiplier: number;
  /** Sorted, without duplicates; empty when nothing is exempted. */
  readonly exempt: readonly string[];
}

export const rateLimits = defineAnnotation({
  name: 'rate-limits',
  keys: [rps, rpm, connections, burstMultiplier, allowlist, whitelist],
  scope: 'location',
  risk: 'low',
  description:
    'Per-client limits on every path of the Ingress, counted per Ingress (its paths share the counters) and per client address ' +
    '(the peer address of the connection). A request over the rate, beyond the burst (rate × limit-burst-multiplier, served without ' +
    'delay), or over limit-connections gets 503, as with ingress-nginx defaults (limit-req-status-code and limit-conn-status-code). ' +
    'The rates limit-rps and limit-rpm may be used together. Unlike ingress-nginx, which takes limit-allowlist when both names are set, ' +
    'Portico rejects an Ingress whose two names disagree.',
  parse: (r): RateLimits | undefined => {
    const allowed = r.value(allowlist);
    const whitelisted = r.value(whitelist);
    if (allowed !== undefined && whitelisted !== undefined && allowed.join(',') !== whitelisted.join(',')) {
      r.problem(whitelist, 'limit-allowlist and limit-whitelist are two names of one setting and disagree; keep one');
    }
    const limits = { rps: positive(r.value(rps)), rpm: positive(r.value(rpm)), connections: positive(r.value(connections)) };
    if (limits.rps === undefined && limits.rpm === undefined && limits.connections === undefined) return undefined;
    return { ...limits, burstMultiplier: r.value(burstMultiplier) ?? 5, exempt: [...new Set(allowed ?? whitelisted ?? [])].sort() };
  },
  effect: {
    http: (limits, context) => {
      const zones = zonesOf(limits, context.ingress);
      const key = keyOf(limits);
      const found: Directive[] = [];
      if (limits.exempt.length > 0) {
        const exempt = `portico_exempt_${key.suffix}`;
        found.push(
          geoBlock('remote_addr', exempt, [{ key: { kind: 'default' }, value: keyword(0) }, ...limits.exempt.map((cidr) => ({ key: { kind: 'network' as const, cidr }, value: keyword(1) }))]),
          mapBlock(variable(exempt), key.variable, [
            { key: { kind: 'default' }, value: variable('binary_remote_addr') },
            { key: { kind: 'string', text: '1' }, value: literal('') },
          ]),
        );
      }
      const keyArg = variable(key.variable);
      if (limits.connections !== undefined) found.push(directive('limit_conn_zone', keyArg, keyword(`zone=${zones.connections}:${ZONE_SIZE}`)));
      if (limits.rps !== undefined) found.push(directive('limit_req_zone', keyArg, keyword(`zone=${zones.rps}:${ZONE_SIZE}`), keyword(`rate=${limits.rps}r/s`)));
      if (limits.rpm !== undefined) found.push(directive('limit_req_zone', keyArg, keyword(`zone=${zones.rpm}:${ZONE_SIZE}`), keyword(`rate=${limits.rpm}r/m`)));
      return found;
    },
    location: (limits, context) => {
      const zones = zonesOf(limits, context.ingress);
      const found: Directive[] = [];
      if (limits.connections !== undefined) found.push(directive('limit_conn', keyword(zones.connections), keyword(limits.connections)));
      if (limits.rps !== undefined) found.push(directive('limit_req', keyword(`zone=${zones.rps}`), keyword(`burst=${limits.rps * limits.burstMultiplier}`), keyword('nodelay')));
      if (limits.rpm !== undefined) found.push(directive('limit_req', keyword(`zone=${zones.rpm}`), keyword(`burst=${limits.rpm * limits.burstMultiplier}`), keyword('nodelay')));
      return found;
    },
  },
});

function positive(value: number | undefined): number | undefined {
  return value === undefined || value === 0 ? undefined : value;
}

/**
 * The variable a zone counts by: the client address, or, with exemptions, one that is empty for them. Its
 * name comes from a hash of the exempted ranges, so Ingresses exempting the same ranges share the `geo` and
 * the `map` (nginx keeps every variable in one hash; one per Ingress would not scale).
 */
function keyOf(limits: RateLimits): { readonly variable: string; readonly suffix: string } {
  if (limits.exempt.length === 0) return { variable: 'binary_remote_addr', suffix: '' };
  const suffix = createHash('sha256').update(limits.exempt.join(',')).digest('hex').slice(0, 12);
  return { variable: `portico_limit_${suffix}`, suffix };
}

/**
 * Zone names from the Ingress's namespace and name (`_` appears in neither, so they never collide), and
 * the key's hash: nginx refuses a reload that changes the key of an existing zone, so a new key gets a new zone.
 */
function zonesOf(limits: RateLimits, ingress: ObjectRef): { readonly rps: string; readonly rpm: string; readonly connections: string } {
  const { suffix } = keyOf(limits);
  const name = (kind: string): string => `portico_${kind}_${ingress.namespace}_${ingress.name}${suffix === '' ? '' : `_${suffix}`}`;
  return { rps: name('rps'), rpm: name('rpm'), connections: name('conn') };
}

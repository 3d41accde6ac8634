// allowlist-source-range (formerly whitelist-source-range) and denylist-source-range: which client
// addresses may reach the paths of an Ingress. Deny wins over allow, as in ingress-nginx: the denied
// ranges come first, then the allowed ones, then `deny all` when there is an allow list.
import { directive, keyword, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { cidrNetwork, listOf } from '../grammars.js';

const ranges = listOf(cidrNetwork, 1024);
const allow = annotationKey('allowlist-source-range', ranges, 'Only clients in these ranges reach the paths of the Ingress; the others get 403.');
const whitelist = annotationKey('whitelist-source-range', ranges, 'The former name of allowlist-source-range; the same meaning.');
const deny = annotationKey('denylist-source-range', ranges, 'Clients in these ranges get 403, even when an allowed range also covers them.');

export interface SourceRanges {
  readonly allow: readonly string[] | undefined;
  readonly deny: readonly string[] | undefined;
}

export const sourceRanges = defineAnnotation({
  name: 'source-ranges',
  keys: [allow, whitelist, deny],
  scope: 'location',
  risk: 'medium',
  description:
    'Client address ranges (IPv4 and IPv6 addresses or CIDR blocks, comma-separated) allowed or denied on every path of the Ingress; ' +
    'the client address is the peer address of the connection. Deny wins over allow. Unlike ingress-nginx, which takes ' +
    'allowlist-source-range when both names are set, Portico rejects an Ingress whose two names disagree rather than guess.',
  parse: (r): SourceRanges | undefined => {
    const allowed = r.value(allow);
    const whitelisted = r.value(whitelist);
    if (allowed !== undefined && whitelisted !== undefined && allowed.join(',') !== whitelisted.join(',')) {
      r.problem(whitelist, 'allowlist-source-range and whitelist-source-range are two names of one setting and disagree; keep one');
    }
    return { allow: unique(allowed ?? whitelisted), deny: unique(r.value(deny)) };
  },
  effect: {
    location: (s) => {
      const found: Directive[] = [];
      for (const range of s.deny ?? []) found.push(directive('deny', keyword(range)));
      if (s.allow !== undefined) {
        for (const range of s.allow) found.push(directive('allow', keyword(range)));
        found.push(directive('deny', keyword('all')));
      }
      return found;
    },
  },
});

function unique(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined ? undefined : [...new Set(values)];
}

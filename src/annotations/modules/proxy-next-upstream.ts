// proxy-next-upstream, proxy-next-upstream-tries, proxy-next-upstream-timeout: when a failed request is
// tried again on the next endpoint of the Service, how many times, and for how long.
import { directive, keyword, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { integer, seconds, type Grammar } from '../grammars.js';

/** The conditions nginx's proxy_next_upstream knows; `off` stands alone. */
const conditions = ['error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_403', 'http_404', 'http_429', 'non_idempotent', 'off'] as const;
type Condition = (typeof conditions)[number];

/** ingress-nginx's form: conditions separated by spaces, e.g. `error timeout http_502`. */
const conditionList: Grammar<readonly Condition[]> = {
  describe: `conditions separated by spaces, from ${conditions.join(', ')} ("off" alone)`,
  parse: (raw) => {
    const words = raw.split(/ +/);
    if (words.length > conditions.length) return undefined;
    const found: Condition[] = [];
    for (const word of words) {
      const condition = conditions.find((c) => c === word);
      if (condition === undefined) return undefined;
      if (!found.includes(condition)) found.push(condition);
    }
    return found.includes('off') && found.length > 1 ? undefined : found;
  },
};

const when = annotationKey('proxy-next-upstream', conditionList, 'When a request is passed to the next endpoint.', 'error timeout');
const tries = annotationKey('proxy-next-upstream-tries', integer(0, 100), 'How many endpoints a request may try in all; 0 means no limit.', '3');
const timeout = annotationKey('proxy-next-upstream-timeout', seconds, 'How long, in seconds, a request may keep trying endpoints; 0 means no limit.', '0');

export interface ProxyNextUpstream {
  readonly when: readonly Condition[] | undefined;
  readonly tries: number | undefined;
  readonly timeout: number | undefined;
}

export const proxyNextUpstream = defineAnnotation({
  name: 'proxy-next-upstream',
  keys: [when, tries, timeout],
  scope: 'location',
  risk: 'low',
  description:
    'Retries on the next endpoint of the Service. As in nginx, a request that has already sent its body (POST, PATCH…) is only retried with non_idempotent.',
  parse: (r): ProxyNextUpstream => ({ when: r.value(when), tries: r.value(tries), timeout: r.value(timeout) }),
  effect: {
    location: (n) => {
      const found: Directive[] = [];
      if (n.when !== undefined) found.push(directive('proxy_next_upstream', ...n.when.map((c) => keyword(c))));
      if (n.tries !== undefined) found.push(directive('proxy_next_upstream_tries', keyword(n.tries)));
      if (n.timeout !== undefined) found.push(directive('proxy_next_upstream_timeout', keyword(`${n.timeout}s`)));
      return found;
    },
  },
});

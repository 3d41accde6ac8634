// rewrite-target: the URI the backend receives, as ingress-nginx rewrites it: the whole request path is
// replaced by the target, whose `$1`…`$9` are the capture groups of the (regex) path. Implies use-regex.
import { directive, expansion, keyword, regex } from '../../model/directive.js';
import { annotationKey, defineAnnotation, type LocationContext } from '../annotation.js';
import type { Grammar } from '../grammars.js';

/** A path with `$1`…`$9` captures and an optional query: no other `$`, no quotes, no spaces. */
const rewriteTemplate: Grammar<string> = {
  describe: 'a path starting with "/" that may use the capture groups $1 to $9 (e.g. /$2)',
  parse: (raw) => (raw.length <= 2048 && /^\/(?:[A-Za-z0-9\-._~!&()*+,=:@/%?]|\$[1-9])*$/.test(raw) ? raw : undefined),
};

const target = annotationKey('rewrite-target', rewriteTemplate, 'The path the backend receives instead of the request path; implies use-regex.');

export const rewriteTargetAnnotation = defineAnnotation({
  name: 'rewrite-target',
  keys: [target],
  scope: 'location',
  risk: 'medium',
  description:
    'Every path of the Ingress becomes a regex (as with use-regex) and a request it matches reaches the backend with its path ' +
    'replaced by the target: `path: /api`, `rewrite-target: /` sends /api/items as `/`; `path: /api(/|$)(.*)`, ' +
    '`rewrite-target: /$2` sends it as `/items`. The query string is kept.',
  parse: (r) => r.value(target),
  effect: {
    location: (value: string, context: LocationContext) => [directive('rewrite', regex(`(?i)${context.isRegex ? context.path : escapeRegex(context.path)}`), expansion(value), keyword('break'))],
  },
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

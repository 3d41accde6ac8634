// use-regex: the Ingress's Prefix and ImplementationSpecific paths are regular expressions (matched
// case-insensitively, as ingress-nginx does). Only this Ingress's paths change; see build-locations for the
// precedence against other Ingresses' paths on the same host.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean } from '../grammars.js';

const useRegex = annotationKey('use-regex', boolean, 'Treat the paths of this Ingress as regular expressions.', 'false');

export const useRegexAnnotation = defineAnnotation({
  name: 'use-regex',
  keys: [useRegex],
  scope: 'ingress',
  risk: 'low',
  description:
    'Prefix and ImplementationSpecific paths of this Ingress become case-insensitive regular expressions anchored at the start ' +
    '(`~* "^<path>"`); Exact paths stay exact. Unlike ingress-nginx, the paths of other Ingresses on the same host keep their ' +
    'meaning: a regex path is tried after every Exact path and every Prefix path other than `/`, and before Prefix `/`. Regex ' +
    'paths are tried longest first. A regex must compile and may use A-Z a-z 0-9 and - . _ ~ ! & ( ) * + , = : @ / % ? ^ $ | [ ] { } \\.',
  parse: (r) => r.value(useRegex),
  effect: {},
});

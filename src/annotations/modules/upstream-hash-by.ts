// upstream-hash-by: consistent hashing of requests onto endpoints by a key of nginx variables and text.
// Read by the build (upstream-policy); the key is a closed grammar of variables, never free nginx text.
import type { HashKey } from '../../model/nginx-model.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import type { Grammar } from '../grammars.js';

/** Variables a hash key may use as they are. */
const plainVariables = ['request_uri', 'uri', 'args', 'host', 'remote_addr', 'binary_remote_addr', 'scheme', 'request_method', 'server_name'] as const;
/** Variable families with a name part: a cookie, a request header, a query argument. */
const familyPattern = /^(?:cookie|http|arg)_[a-z0-9_]{1,64}$/;
/** Text between the variables. */
const textPattern = /^[A-Za-z0-9\-._~:/@,+=]*$/;

/** `$name` or `${name}`, anywhere in the key. */
const reference = /\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]*))/g;

export const hashKey: Grammar<HashKey> = {
  describe:
    `nginx variables and text: ${plainVariables.map((v) => `$${v}`).join(' ')} $cookie_NAME $http_NAME $arg_NAME ` +
    '(NAME: a-z 0-9 _), written $name or ${name}, and the characters A-Z a-z 0-9 - . _ ~ : / @ , + =',
  parse: (raw) => {
    if (raw.length === 0 || raw.length > 256) return undefined;
    const variables = new Set<string>();
    let text = '';
    let last = 0;
    for (const match of raw.matchAll(reference)) {
      const name = match[1] ?? match[2] ?? '';
      if (!(plainVariables as readonly string[]).includes(name) && !familyPattern.test(name)) return undefined;
      text += raw.slice(last, match.index);
      last = match.index + match[0].length;
      variables.add(name);
    }
    text += raw.slice(last);
    if (variables.size === 0 || !textPattern.test(text)) return undefined;
    return { text: raw, variables: [...variables].sort() };
  },
};

const upstreamHashBy = annotationKey('upstream-hash-by', hashKey, 'The key whose hash picks the endpoint, e.g. $request_uri or $http_x_user_id.');

export const upstreamHashByAnnotation = defineAnnotation({
  name: 'upstream-hash-by',
  keys: [upstreamHashBy],
  scope: 'upstream',
  risk: 'low',
  description:
    'Requests with the same key go to the same endpoint (nginx `hash … consistent`: when endpoints come and go, only the ' +
    "keys of those endpoints move). The key must use at least one variable, from a closed list; an Ingress with it gets " +
    'upstreams of its own. Cookie affinity takes precedence. ingress-nginx’s upstream-hash-by-subset is not supported.',
  parse: (r) => r.value(upstreamHashBy),
  effect: {},
});

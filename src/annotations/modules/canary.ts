// canary, canary-by-header(-value|-pattern), canary-by-cookie, canary-weight(-total): an Ingress marked canary
// serves no route of its own; each of its (host, path) routes becomes the alternative backend of the main
// Ingress's route there (build/collect-routes), and selectCanary below says how nginx picks one per request.
import { literal, mapBlock, splitClientsBlock, expansion, variable, type DataEntry, type DataKey, type Directive, type DirectiveArg } from '../../model/directive.js';
import { regexProblem } from '../../build/grammar.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean, integer, type Grammar } from '../grammars.js';

/**
 * A header name that has an nginx variable (`$http_x_canary`): letters, digits and `-`. nginx drops headers
 * with `_` by default (underscores_in_headers off), so a name with one could never match.
 */
const canaryHeaderName: Grammar<string> = {
  describe: 'an HTTP header name of letters, digits and "-" (at most 64)',
  parse: (raw) => (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,63})$/.test(raw) ? raw : undefined),
};

/** A header value compared exactly: printable ASCII without `"` `'` `\` `$` `{` `}` `;` `#` and backquotes. */
const headerValue: Grammar<string> = {
  describe: 'a header value of at most 256 printable ASCII characters, without quotes, backquotes, backslashes or $ { } ; #',
  parse: (raw) => (/^[ !%&()*+,\-./0-9:<=>?@A-Z[\]^_a-z|~]{1,256}$/.test(raw) ? raw : undefined),
};

/** A PCRE pattern nginx compiles as a map key: printable ASCII without quotes, `;`, `#` or backquotes. */
const headerPattern: Grammar<string> = {
  describe: 'a regular expression of at most 256 printable ASCII characters, without quotes, backquotes, ; or #, that PCRE and JavaScript read alike',
  parse: (raw) => (/^[ !$%&()*+,\-./0-9:<=>?@A-Z[\\\]^_a-z{|}~]{1,256}$/.test(raw) && regexProblem(raw) === undefined ? raw : undefined),
};

/** A cookie name that has an nginx variable (`$cookie_name`): letters, digits and `_`. */
const cookieName: Grammar<string> = {
  describe: 'a cookie name of letters, digits and "_" (at most 64)',
  parse: (raw) => (/^[A-Za-z0-9_]{1,64}$/.test(raw) ? raw : undefined),
};

const MAX_WEIGHT = 1_000_000;

const canary = annotationKey('canary', boolean, 'Mark this Ingress as the canary of the Ingress that serves the same host and path.', 'false');
const byHeader = annotationKey(
  'canary-by-header',
  canaryHeaderName,
  'A request header that picks the backend: `always` sends the request to the canary, `never` to the main backend; any other value (or none) falls through to the cookie, then the weight.',
);
const byHeaderValue = annotationKey(
  'canary-by-header-value',
  headerValue,
  'With canary-by-header: the exact (case-sensitive) value that sends a request to the canary, instead of `always`; other values fall through to the cookie, then the weight.',
);
const byHeaderPattern = annotationKey(
  'canary-by-header-pattern',
  headerPattern,
  'With canary-by-header and no canary-by-header-value: a regular expression (PCRE, unanchored, case-sensitive) whose match sends a request to the canary; otherwise it falls through.',
);
const byCookie = annotationKey(
  'canary-by-cookie',
  cookieName,
  'A cookie that picks the backend when the header did not: `always` sends the request to the canary, `never` to the main backend; other values fall through to the weight.',
);
const weight = annotationKey('canary-weight', integer(0, MAX_WEIGHT), 'The share of the remaining requests sent to the canary, out of canary-weight-total; chosen at random per request.', '0');
const weightTotal = annotationKey('canary-weight-total', integer(1, MAX_WEIGHT), 'What canary-weight is a share of.', '100');

/** How the header picks the canary: `always`/`never`, one exact value, or a pattern. */
export type CanaryHeaderMatch = { readonly kind: 'always-never' } | { readonly kind: 'value'; readonly value: string } | { readonly kind: 'pattern'; readonly pattern: string };

export interface CanaryPolicy {
  readonly header: { readonly name: string; readonly match: CanaryHeaderMatch } | undefined;
  readonly cookie: string | undefined;
  readonly weight: number;
  readonly weightTotal: number;
}

export const canaryAnnotation = defineAnnotation({
  name: 'canary',
  keys: [canary, byHeader, byHeaderValue, byHeaderPattern, byCookie, weight, weightTotal],
  scope: 'ingress',
  risk: 'low',
  description:
    'An Ingress with `canary: "true"` serves no path of its own: each of its (host, path) pairs becomes the alternative backend of ' +
    'the main Ingress that serves the same host and path (its other annotations are not used there: the main route\'s apply to both ' +
    'backends). Per request, nginx picks the canary by header (canary-by-header), then by cookie (canary-by-cookie), then at random ' +
    '(canary-weight out of canary-weight-total), as ingress-nginx does. A canary with no main route, or a second canary for the same ' +
    'route, is not used and gets a diagnostic (CANARY_WITHOUT_MAIN, CANARY_CONFLICT), and so does a canary default backend (UNSUPPORTED_BACKEND). A canary ' +
    'Service without ready endpoints leaves all traffic on the main backend. Differences from ingress-nginx: the weight is applied ' +
    'with a resolution of 0.01 %; header names are letters, digits and `-`, cookie names letters, digits and `_` (they must name nginx ' +
    'variables); canary-weight may not exceed canary-weight-total; canary-* keys on an Ingress that is not a canary are validated ' +
    'and otherwise ignored.',
  parse: (r): CanaryPolicy | undefined => {
    const isCanary = r.value(canary);
    const header = r.value(byHeader);
    const value = r.value(byHeaderValue);
    const pattern = r.value(byHeaderPattern);
    const cookie = r.value(byCookie);
    const share = r.value(weight) ?? 0;
    const total = r.value(weightTotal) ?? 100;
    if (share > total) r.problem(weight, `canary-weight (${share}) is above canary-weight-total (${total})`);
    if (isCanary !== true) return undefined;
    const match: CanaryHeaderMatch = value !== undefined ? { kind: 'value', value } : pattern !== undefined ? { kind: 'pattern', pattern } : { kind: 'always-never' };
    return { header: header === undefined ? undefined : { name: header, match }, cookie, weight: share, weightTotal: total };
  },
  effect: {},
});

/** What a route with a canary proxies to: one upstream when the policy can pick only one, else a variable. */
export type CanarySelection =
  | { readonly kind: 'fixed'; readonly upstream: string }
  /** `variable` holds the upstream name per request; `directives` (maps, split_clients) set it at http{} level. */
  | { readonly kind: 'variable'; readonly variable: string; readonly directives: readonly Directive[] };

/**
 * The http{} blocks that pick `canary` or `main` per request, by header, then cookie, then weight, each
 * stage falling through to the next: `id` keeps the variables of one route pair apart from the others'.
 */
export function selectCanary(policy: CanaryPolicy, id: string, main: string, canary: string): CanarySelection {
  const name = `portico_canary_${id}`;
  const toMain = literal(main);
  const toCanary = literal(canary);
  const directives: Directive[] = [];
  // What a request that no earlier stage decided gets, built from the last stage (the weight) up.
  let rest: DirectiveArg;
  const hundredths = Math.round((policy.weight * 10000) / policy.weightTotal);
  if (hundredths <= 0) rest = toMain;
  else if (hundredths >= 10000) rest = toCanary;
  else {
    // $request_id is 128 random bits per request: the split is random, and no client can choose its side.
    directives.push(splitClientsBlock(expansion('${request_id}', ['request_id']), `${name}_weight`, [entry({ kind: 'share', hundredths }, toCanary), entry({ kind: 'rest' }, toMain)]));
    rest = variable(`${name}_weight`);
  }
  if (policy.cookie !== undefined) {
    const target = `${name}_cookie`;
    directives.push(mapBlock(variable(`cookie_${policy.cookie.toLowerCase()}`), target, [entry({ kind: 'default' }, rest), entry(exactly('always'), toCanary), entry(exactly('never'), toMain)]));
    rest = variable(target);
  }
  if (policy.header !== undefined) {
    const match = policy.header.match;
    const entries =
      match.kind === 'value'
        ? [entry(exactly(match.value), toCanary)]
        : match.kind === 'pattern'
          ? [entry({ kind: 'regex', pattern: match.pattern, caseInsensitive: false }, toCanary)]
          : [entry(exactly('always'), toCanary), entry(exactly('never'), toMain)];
    directives.push(mapBlock(variable(`http_${policy.header.name.toLowerCase().replaceAll('-', '_')}`), name, [entry({ kind: 'default' }, rest), ...entries]));
    rest = variable(name);
  }
  if (rest.kind === 'variable') return { kind: 'variable', variable: rest.name, directives };
  return { kind: 'fixed', upstream: rest === toCanary ? canary : main };
}

function entry(key: DataKey, value: DirectiveArg): DataEntry {
  return { key, value };
}

/** A case-sensitive whole-value match: nginx's string map keys ignore case, ingress-nginx compares exactly. */
function exactly(text: string): DataKey {
  return { kind: 'regex', pattern: `^${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, caseInsensitive: false };
}

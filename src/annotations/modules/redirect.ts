// permanent-redirect / temporal-redirect (+ -code): the location answers with a redirect instead of proxying.
import { directive, expansion, keyword } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { statusCode, type Grammar } from '../grammars.js';

/** Variables a redirect target may use, so `https://new.example.com$request_uri` keeps the path. */
const targetVariables = ['request_uri', 'uri', 'args', 'is_args', 'host', 'scheme'] as const;

const redirectTarget: Grammar<string> = {
  describe: `an absolute http(s) URL or a path; may use ${targetVariables.map((v) => `$${v}`).join(' ')}`,
  parse: (raw) => {
    if (raw.length > 2048) return undefined;
    const withoutVariables = raw.replace(new RegExp(`\\$(?:${targetVariables.join('|')})(?![A-Za-z0-9_])`, 'g'), '');
    if (withoutVariables.includes('$')) return undefined;
    const isUrl = /^https?:\/\/[A-Za-z0-9.\-[\]:]+(?:[/?][A-Za-z0-9\-._~!&()*+,=:@/%?]*)?$/.test(withoutVariables);
    const isPath = /^\/[A-Za-z0-9\-._~!&()*+,=:@/%?]*$/.test(withoutVariables);
    return isUrl || isPath || (/^https?:\/\/$/.test(withoutVariables) && raw.includes('$host')) ? raw : undefined;
  },
};

const permanent = annotationKey('permanent-redirect', redirectTarget, 'Answer every request with a permanent redirect to this URL.');
const permanentCode = annotationKey('permanent-redirect-code', statusCode(300, 308), 'The status of the permanent redirect.', '301');
const temporal = annotationKey('temporal-redirect', redirectTarget, 'Answer every request with a temporary redirect to this URL.');
const temporalCode = annotationKey('temporal-redirect-code', statusCode(300, 308), 'The status of the temporary redirect.', '302');

export interface Redirect {
  readonly code: number;
  readonly target: string;
}

export const redirectAnnotation = defineAnnotation({
  name: 'redirect',
  keys: [permanent, permanentCode, temporal, temporalCode],
  scope: 'location',
  risk: 'low',
  description: 'Redirects instead of proxying. With both set, permanent-redirect wins (as in ingress-nginx). The plain-HTTP to HTTPS redirect of a TLS host still comes first.',
  parse: (r): Redirect | undefined => {
    const p = r.value(permanent);
    const pCode = r.value(permanentCode);
    const t = r.value(temporal);
    const tCode = r.value(temporalCode);
    if (p !== undefined) return { code: pCode ?? 301, target: p };
    if (t !== undefined) return { code: tCode ?? 302, target: t };
    if (r.has(permanentCode)) r.problem(permanentCode, 'permanent-redirect-code needs permanent-redirect');
    if (r.has(temporalCode)) r.problem(temporalCode, 'temporal-redirect-code needs temporal-redirect');
    return undefined;
  },
  effect: {
    location: (redirect) => [directive('return', keyword(redirect.code), expansion(redirect.target, targetVariables))],
  },
});

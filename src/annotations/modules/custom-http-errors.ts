// custom-http-errors: the listed statuses from the backend are replaced by what the default-backend
// Service answers, asked with ingress-nginx's X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name,
// X-Service-Name, X-Service-Port and X-Request-ID headers. The named locations that ask it are built by
// build-error-locations; this module adds the interception to each location.
import { directive, keyword, type Directive } from '../../model/directive.js';
import { errorLocationName } from '../../model/nginx-model.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { listOf, statusCode } from '../grammars.js';
import { defaultBackendKey } from './default-backend.js';

const codes = annotationKey('custom-http-errors', listOf(statusCode(400, 599), 50), 'Backend statuses answered by the default-backend Service, e.g. 404,503.');

export const customHttpErrorsAnnotation = defineAnnotation({
  name: 'custom-http-errors',
  keys: [codes],
  scope: 'location',
  risk: 'low',
  description:
    'Responses of these statuses (400 to 599) from the backend are replaced by the answer of the default-backend ' +
    "annotation's Service to the same request, which receives X-Code, X-Format (the client's Accept), X-Original-URI, " +
    'X-Namespace, X-Ingress-Name, X-Service-Name, X-Service-Port and X-Request-ID, as with ingress-nginx. Portico has no ' +
    'controller-wide default backend: without default-backend, the Ingress is rejected.',
  parse: (r) => {
    const value = r.value(codes);
    if (value !== undefined && !r.has(defaultBackendKey)) {
      r.problem(codes, 'custom-http-errors needs the default-backend annotation (Portico has no controller-wide default backend)');
      return undefined;
    }
    return value === undefined ? undefined : [...new Set(value)].sort((a, b) => a - b);
  },
  effect: {
    location: (statuses, context) => {
      const found: Directive[] = [directive(context.protocol === 'grpc' || context.protocol === 'grpcs' ? 'grpc_intercept_errors' : 'proxy_intercept_errors', keyword('on'))];
      for (const status of statuses) found.push(directive('error_page', keyword(status), keyword('='), keyword(`@${errorLocationName(context.ingress, context.service, context.servicePort, status)}`)));
      return found;
    },
  },
});

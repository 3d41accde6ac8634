// ssl-redirect / force-ssl-redirect: whether plain-HTTP requests get a 308 to HTTPS. Read by the build
// (build-model), which knows whether the host has TLS.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean } from '../grammars.js';

const sslRedirect = annotationKey('ssl-redirect', boolean, 'Redirect plain HTTP to HTTPS on hosts of this Ingress that have TLS.', 'the ConfigMap value (true)');
const forceSslRedirect = annotationKey('force-ssl-redirect', boolean, 'Redirect plain HTTP to HTTPS even on hosts without TLS of their own (TLS terminated in front of nginx, or the default certificate).', 'false');

export interface SslRedirect {
  readonly redirect: boolean | undefined;
  readonly force: boolean;
}

export const sslRedirectAnnotation = defineAnnotation({
  name: 'ssl-redirect',
  keys: [sslRedirect, forceSslRedirect],
  scope: 'location',
  risk: 'low',
  description:
    'A 308 to `https://` for plain-HTTP requests, on every path of the Ingress. ssl-redirect applies to hosts listed in the ' +
    "Ingress's `tls` section; force-ssl-redirect to every host of the Ingress.",
  parse: (r): SslRedirect => ({ redirect: r.value(sslRedirect), force: r.value(forceSslRedirect) ?? false }),
  effect: {},
});

// default-backend: a Service of the Ingress's namespace that answers when the Ingress's Service has no
// ready endpoint, and serves the custom error pages (custom-http-errors). Read by the build (build-model,
// build-error-locations), which resolves the Service like any backend.
import { annotationKey, defineAnnotation } from '../annotation.js';
import type { Grammar } from '../grammars.js';

const serviceName: Grammar<string> = {
  describe: "a Service name of the Ingress's namespace",
  parse: (raw) => (/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw) ? raw : undefined),
};

export const defaultBackendKey = annotationKey('default-backend', serviceName, 'The Service (first port) that answers when the Service of a path has no ready endpoint.');

export const defaultBackendAnnotation = defineAnnotation({
  name: 'default-backend',
  keys: [defaultBackendKey],
  scope: 'upstream',
  risk: 'low',
  description:
    "A Service of the Ingress's own namespace, on its first port. When the Service of one of the Ingress's paths does not " +
    'exist, lacks the port or has no ready endpoint, that path proxies to this Service instead of answering 503 (a warning ' +
    'still names the missing backend). With custom-http-errors, it also serves the error pages. Unlike ingress-nginx, ' +
    'another namespace cannot be named.',
  parse: (r) => r.value(defaultBackendKey),
  effect: {},
});

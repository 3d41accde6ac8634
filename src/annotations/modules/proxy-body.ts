// proxy-body-size, client-body-buffer-size, proxy-request-buffering: how much of a request body nginx
// accepts, keeps in memory, and whether it reads it all before passing it on.
import { directive, keyword, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { oneOf, size, sizeUpTo } from '../grammars.js';

const bodySize = annotationKey(
  'proxy-body-size',
  size,
  'The largest request body accepted (nginx client_max_body_size); a larger one gets 413. 0 accepts any size.',
  'the ConfigMap value (1m)',
);
const bufferSize = annotationKey('client-body-buffer-size', sizeUpTo('64m'), 'Request bodies up to this size stay in memory; larger ones go to a temporary file.', 'nginx (16k)');
const requestBuffering = annotationKey(
  'proxy-request-buffering',
  oneOf(['on', 'off']),
  '"on": read the whole request body before passing it to the backend; "off": stream it as it arrives.',
  'on',
);

export interface ProxyBody {
  readonly maxSize: string | undefined;
  readonly bufferSize: string | undefined;
  readonly requestBuffering: 'on' | 'off' | undefined;
}

export const proxyBody = defineAnnotation({
  name: 'proxy-body',
  keys: [bodySize, bufferSize, requestBuffering],
  scope: 'location',
  risk: 'low',
  description: 'Request body limits and buffering for the paths of the Ingress; other Ingresses keep the defaults.',
  parse: (r): ProxyBody => ({ maxSize: r.value(bodySize), bufferSize: r.value(bufferSize), requestBuffering: r.value(requestBuffering) }),
  effect: {
    location: (b) => {
      const found: Directive[] = [];
      if (b.maxSize !== undefined) found.push(directive('client_max_body_size', keyword(b.maxSize)));
      if (b.bufferSize !== undefined) found.push(directive('client_body_buffer_size', keyword(b.bufferSize)));
      if (b.requestBuffering !== undefined) found.push(directive('proxy_request_buffering', keyword(b.requestBuffering)));
      return found;
    },
  },
});

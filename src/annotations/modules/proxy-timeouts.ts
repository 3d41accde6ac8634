// proxy-connect-timeout, proxy-send-timeout, proxy-read-timeout: per-Ingress overrides of the controller's
// defaults (ConfigMap keys of the same names).
import { directive, keyword, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { seconds } from '../grammars.js';

const connect = annotationKey('proxy-connect-timeout', seconds, 'Time to establish a connection to a backend.', 'the ConfigMap value (5)');
const send = annotationKey('proxy-send-timeout', seconds, 'Time between two writes of the request to the backend.', 'the ConfigMap value (60)');
const read = annotationKey('proxy-read-timeout', seconds, 'Time between two reads of the response from the backend.', 'the ConfigMap value (60)');

export interface ProxyTimeouts {
  readonly connect: number | undefined;
  readonly send: number | undefined;
  readonly read: number | undefined;
}

export const proxyTimeouts = defineAnnotation({
  name: 'proxy-timeouts',
  keys: [connect, send, read],
  scope: 'location',
  risk: 'low',
  description: 'Timeouts of the connection to the backend, in seconds.',
  parse: (r): ProxyTimeouts => ({ connect: r.value(connect), send: r.value(send), read: r.value(read) }),
  effect: {
    location: (t) => {
      const found: Directive[] = [];
      if (t.connect !== undefined) found.push(directive('proxy_connect_timeout', keyword(`${t.connect}s`)));
      if (t.send !== undefined) found.push(directive('proxy_send_timeout', keyword(`${t.send}s`)));
      if (t.read !== undefined) found.push(directive('proxy_read_timeout', keyword(`${t.read}s`)));
      return found;
    },
  },
});

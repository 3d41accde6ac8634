// proxy-buffering, proxy-buffer-size, proxy-buffers-number, proxy-busy-buffers-size, proxy-max-temp-file-size:
// how nginx buffers a backend's response. The sizes depend on each other (nginx -t refuses some
// combinations), so they are checked together here: a bad combination rejects its Ingress, never the config.
import { directive, keyword, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { integer, oneOf, size, sizeInBytes, sizeUpTo } from '../grammars.js';

const buffering = annotationKey('proxy-buffering', oneOf(['on', 'off']), '"on": buffer the response of the backend; "off": pass it on as it arrives.', 'off');
const bufferSize = annotationKey(
  'proxy-buffer-size',
  sizeUpTo('1m'),
  'The buffer for the first part of the response (its headers), and the size of each of the proxy-buffers-number buffers.',
  '4k',
);
const buffersNumber = annotationKey('proxy-buffers-number', integer(2, 1024), 'How many buffers of proxy-buffer-size each response may use.', '4');
const busyBuffersSize = annotationKey(
  'proxy-busy-buffers-size',
  sizeUpTo('1g'),
  'How much of the buffers may be busy sending to the client while the response is not fully read; from proxy-buffer-size to all buffers but one.',
  'twice proxy-buffer-size',
);
const maxTempFileSize = annotationKey(
  'proxy-max-temp-file-size',
  size,
  'The largest temporary file a buffered response may spill into; 0 turns temporary files off.',
  'nginx (1024m)',
);

/** ingress-nginx's defaults, written out whenever one of the sizes is set so nginx's checks see known values. */
const DEFAULT_BUFFER_SIZE = '4k';
const DEFAULT_BUFFERS_NUMBER = 4;

export interface ProxyBuffers {
  readonly buffering: 'on' | 'off' | undefined;
  /** Set when any of the buffer sizes is: then all of them are written. */
  readonly buffers: { readonly size: string; readonly number: number; readonly busySize: string | undefined } | undefined;
  readonly maxTempFileSize: string | undefined;
}

export const proxyBuffers = defineAnnotation({
  name: 'proxy-buffers',
  keys: [buffering, bufferSize, buffersNumber, busyBuffersSize, maxTempFileSize],
  scope: 'location',
  risk: 'low',
  description:
    'Response buffering for the paths of the Ingress. Setting proxy-buffer-size, proxy-buffers-number or proxy-busy-buffers-size writes ' +
    'all three buffer directives (as ingress-nginx does, with its defaults 4k and 4), and a combination nginx would refuse rejects the Ingress.',
  parse: (r): ProxyBuffers => {
    const sizeValue = r.value(bufferSize);
    const numberValue = r.value(buffersNumber);
    const busyValue = r.value(busyBuffersSize);
    const tempValue = r.value(maxTempFileSize);
    const anyBuffer = sizeValue !== undefined || numberValue !== undefined || busyValue !== undefined;
    const buffers = anyBuffer ? { size: sizeValue ?? DEFAULT_BUFFER_SIZE, number: numberValue ?? DEFAULT_BUFFERS_NUMBER, busySize: busyValue } : undefined;
    if (buffers !== undefined) {
      const one = sizeInBytes(buffers.size);
      // nginx's own checks (ngx_http_proxy_merge_loc_conf): busy ≥ one buffer, and ≤ all buffers but one.
      const busy = buffers.busySize === undefined ? 2 * one : sizeInBytes(buffers.busySize);
      const allButOne = (buffers.number - 1) * one;
      if (busy < one) r.problem(busyBuffersSize, `proxy-busy-buffers-size must be at least proxy-buffer-size (${buffers.size})`);
      else if (busy > allButOne) {
        r.problem(
          buffers.busySize === undefined ? buffersNumber : busyBuffersSize,
          `the busy buffers (${buffers.busySize ?? `twice ${buffers.size}`}) must fit in all buffers but one (${buffers.number - 1} × ${buffers.size}); raise proxy-buffers-number or lower proxy-busy-buffers-size`,
        );
      }
    }
    if (tempValue !== undefined && tempValue !== '0' && sizeInBytes(tempValue) < sizeInBytes(buffers?.size ?? DEFAULT_BUFFER_SIZE)) {
      r.problem(maxTempFileSize, 'proxy-max-temp-file-size must be 0 or at least proxy-buffer-size');
    }
    return { buffering: r.value(buffering), buffers, maxTempFileSize: tempValue };
  },
  effect: {
    location: (b) => {
      const found: Directive[] = [];
      if (b.buffering !== undefined) found.push(directive('proxy_buffering', keyword(b.buffering)));
      if (b.buffers !== undefined) {
        found.push(directive('proxy_buffer_size', keyword(b.buffers.size)), directive('proxy_buffers', keyword(b.buffers.number), keyword(b.buffers.size)));
        if (b.buffers.busySize !== undefined) found.push(directive('proxy_busy_buffers_size', keyword(b.buffers.busySize)));
      }
      if (b.maxTempFileSize !== undefined) found.push(directive('proxy_max_temp_file_size', keyword(b.maxTempFileSize)));
      return found;
    },
  },
});

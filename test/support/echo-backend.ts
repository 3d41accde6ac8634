// Loopback HTTP backends for integration tests: answer every request with JSON saying who answered and
// what arrived, record it, and complete WebSocket upgrades with an echo so tests can prove proxying works.
// They also speak HTTPS, and HTTP/2 (cleartext or TLS) as gRPC backends do.
import { createHash, randomFillSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer as createHttp2SecureServer, createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One request as the backend saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** `1.1`, or `1.0` when nginx speaks HTTP/1.0 to the backend. */
  readonly httpVersion: string;
  readonly url: string;
  /** Header names lower-cased, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The peer's address: for proxied requests, the address nginx connected from. */
  readonly remoteAddress: string;
  /** True for a WebSocket upgrade, which gets a 101 and an echo instead of the JSON answer. */
  readonly isUpgrade: boolean;
}

/** The JSON body every plain HTTP request gets back (with status 200). */
export interface EchoResponse {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running echo backend. */
export interface EchoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Every request received so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** Stops listening and destroys open sockets (keep-alive and upgraded ones), so tests end promptly. */
  close(): Promise<void>;
}

/** Options for {@link startEchoBackend}. */
export interface EchoBackendOptions {
  /** Defaults to 127.0.0.1; any 127.0.0.x works on Linux, so several backends can share one port. */
  readonly host?: string;
  /** Defaults to 0 (the OS picks). */
  readonly port?: number;
  /**
   * `http` (the default); `https` with `certificate`; `h2c`, HTTP/2 with prior knowledge (what nginx's
   * grpc:// speaks); `h2`, HTTP/2 over TLS with `certificate` (grpcs://). HTTP/2 answers end with gRPC's
   * `grpc-status: 0` trailer.
   */
  readonly protocol?: 'http' | 'https' | 'h2c' | 'h2';
  readonly certificate?: { readonly certificatePem: string; readonly keyPem: string };
}

/** A request header that makes the backend wait this many milliseconds before answering (at most 10 s). */
export const ECHO_DELAY_HEADER = 'x-echo-delay-ms';
/** A request header that makes an HTTP/1.1 backend answer with this status (200 to 599) instead of 200. */
export const ECHO_STATUS_HEADER = 'x-echo-status';

/** Starts an echo backend named `name`; the name is what tests assert to know which backend answered. */
export async function startEchoBackend(name: string, options: EchoBackendOptions = {}): Promise<EchoBackend> {
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const protocol = options.protocol ?? 'http';
  const answer = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(recordRequest(request, Buffer.concat(chunks).toString('utf8'), false));
      const answer: EchoResponse = {
        backend: name,
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
      };
      const body = JSON.stringify(answer);
      const isHttp2 = protocol === 'h2' || protocol === 'h2c';
      const respond = (): void => {
        const headers = { 'content-type': 'application/json', 'x-echo-backend': name };
        if (isHttp2) {
          const h2 = response as Http2ServerResponse;
          h2.addTrailers({ 'grpc-status': '0' });
          h2.writeHead(200, headers);
          h2.end(body);
        } else {
          const status = Number(request.headers[ECHO_STATUS_HEADER] ?? 200);
          (response as ServerResponse).writeHead(status >= 200 && status <= 599 ? status : 200, { ...headers, 'content-length': Buffer.byteLength(body) });
          response.end(body);
        }
      };
      const delay = Math.min(Number(request.headers[ECHO_DELAY_HEADER] ?? 0) || 0, 10_000);
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  };
  const certificate = options.certificate;
  if ((protocol === 'https' || protocol === 'h2') && certificate === undefined) throw new Error(`a ${protocol} echo backend needs a certificate`);
  const tls = { cert: certificate?.certificatePem, key: certificate?.keyPem };
  const server =
    protocol === 'https'
      ? createHttpsServer(tls, answer as RequestListener)
      : protocol === 'h2'
        ? createHttp2SecureServer({ ...tls, allowHTTP1: false }, answer)
        : protocol === 'h2c'
          ? createHttp2Server(answer)
          : createServer(answer as RequestListener);
  // Track sockets ourselves: server.close() waits for keep-alive connections, and upgraded sockets
  // leave node:http's bookkeeping entirely.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    requests.push(recordRequest(request, '', true));
    acceptWebSocket(name, request, socket, head);
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error(`unexpected listen address ${String(address)}`));
      else resolve(address.port);
    });
  });

  return {
    name,
    host,
    port,
    requests,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function recordRequest(request: IncomingMessage | Http2ServerRequest, body: string, isUpgrade: boolean): RecordedRequest {
  return {
    method: request.method ?? '',
    httpVersion: request.httpVersion,
    url: request.url ?? '',
    headers: request.headers,
    body,
    remoteAddress: request.socket.remoteAddress ?? '',
    isUpgrade,
  };
}

/** Completes the RFC 6455 handshake, then echoes every text or binary message back unchanged. */
function acceptWebSocket(name: string, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const key = request.headers['sec-websocket-key'];
  if (request.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${webSocketAccept(key)}\r\n` +
      `X-Echo-Backend: ${name}\r\n\r\n`,
  );
  let buffered = head;
  const consume = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let decoded = decodeWebSocketFrame(buffered); decoded; decoded = decodeWebSocketFrame(buffered)) {
      buffered = decoded.rest;
      const { opcode, payload } = decoded.frame;
      if (opcode === 0x1 || opcode === 0x2) socket.write(encodeWebSocketFrame(opcode, payload, false));
      else if (opcode === 0x9) socket.write(encodeWebSocketFrame(0xa, payload, false));
      else if (opcode === 0x8) {
        socket.end(encodeWebSocketFrame(0x8, payload, false));
        return;
      }
    }
  };
  socket.on('data', consume);
  consume(Buffer.alloc(0));
}

// The minimal RFC 6455 pieces below are shared with http-client's websocketEcho: single unfragmented
// frames only, which is all a proxy test needs.

const webSocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value a server must answer for a given Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + webSocketGuid).digest('base64');
}

/** One WebSocket frame: opcode (0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xa pong) and unmasked payload. */
export interface WebSocketFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Encodes one final (FIN) frame; clients must mask (`masked: true`), servers must not. */
export function encodeWebSocketFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = 0x80 | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (lengthBytes === 0) header[1] = maskBit | length;
  else if (lengthBytes === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = header.subarray(2 + lengthBytes);
  randomFillSync(mask);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, body]);
}

/** Decodes the first complete frame in `buffer`, or returns undefined if more bytes are needed. */
export function decodeWebSocketFrame(buffer: Buffer): { frame: WebSocketFrame; rest: Buffer } | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0] ?? 0;
  const second = buffer[1] ?? 0;
  const masked = (second & 0x80) !== 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (buffer[maskOffset + (i % 4)] ?? 0);
  }
  return { frame: { opcode: first & 0x0f, payload }, rest: buffer.subarray(offset + length) };
}

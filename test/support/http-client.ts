// Real HTTP(S) and WebSocket requests from integration tests to nginx on loopback, one fresh connection each.
import { randomBytes } from 'node:crypto';
import { request as httpRequestRaw, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { decodeWebSocketFrame, encodeWebSocketFrame, webSocketAccept } from './echo-backend.js';

/** A request or upgrade that has not finished by then fails, instead of hanging until mocha's timeout. */
const requestTimeoutMs = 10_000;

/** Options for {@link httpRequest}. */
export interface HttpRequestOptions {
  /** The port nginx listens on. */
  readonly port: number;
  /** Path and query, e.g. `/api?x=1`. */
  readonly path: string;
  /** The Host header; defaults to node's `address:port`. */
  readonly host?: string;
  /** Defaults to GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Speak TLS. SNI is `servername`, else the Host header's name (none for an IP), like a browser would. */
  readonly tls?: { readonly servername?: string };
  /** The address to connect to; defaults to 127.0.0.1. */
  readonly address?: string;
  /** The local address to send from, e.g. 127.0.0.2, to appear as a different client. */
  readonly localAddress?: string;
}

/** The certificate the server presented during the TLS handshake. */
export interface PeerCertificate {
  /** e.g. `DNS:a.test, DNS:b.test`. */
  readonly subjectaltname?: string;
  readonly fingerprint256: string;
  /** DER bytes. */
  readonly raw: Buffer;
}

/** A complete response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Parses the body as JSON (e.g. an echo backend's `EchoResponse`). */
  json<T>(): T;
  /** Present for TLS requests. */
  readonly peerCertificate?: PeerCertificate;
}

/** Sends one request on a new connection (no agent pooling between tests); certificates are not verified. */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.host !== undefined) headers['host'] = options.host;
  if (options.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  const base = {
    host: options.address ?? '127.0.0.1',
    port: options.port,
    path: options.path,
    method: options.method ?? 'GET',
    headers,
    agent: false as const,
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
  };
  const request =
    options.tls === undefined
      ? httpRequestRaw(base)
      : httpsRequestRaw({ ...base, rejectUnauthorized: false, servername: sniName(options.tls.servername, options.host) });

  return new Promise<HttpResponse>((resolve, reject) => {
    failAfterTimeout(request, `${base.method} ${describeTarget(options)}`, reject);
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => {
      // Read the certificate now: once the body ends, the socket may already be gone.
      const peerCertificate = options.tls === undefined ? undefined : readPeerCertificate(response.socket as TLSSocket);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          json: <T>() => JSON.parse(body) as T,
          ...(peerCertificate !== undefined ? { peerCertificate } : {}),
        });
      });
    });
    request.end(options.body);
  });
}

/** Options for {@link websocketEcho}. */
export interface WebSocketEchoOptions {
  readonly port: number;
  readonly path: string;
  /** The Host header; defaults to node's `address:port`. */
  readonly host?: string;
  /** The text message to send. */
  readonly message: string;
  /** The address to connect to; defaults to 127.0.0.1. */
  readonly address?: string;
}

/**
 * Performs a real WebSocket upgrade (through nginx, to an echo backend), sends `message` as one text
 * frame and returns the text of the first frame that comes back. Rejects if the answer is not a valid 101.
 */
export async function websocketEcho(options: WebSocketEchoOptions): Promise<string> {
  const key = randomBytes(16).toString('base64');
  const request = httpRequestRaw({
    host: options.address ?? '127.0.0.1',
    port: options.port,
    path: options.path,
    agent: false,
    headers: {
      ...(options.host !== undefined ? { host: options.host } : {}),
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': key,
      'sec-websocket-version': '13',
    },
  });

  return new Promise<string>((resolve, reject) => {
    failAfterTimeout(request, `WebSocket ${describeTarget(options)}`, reject);
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => {
      response.resume();
      reject(new Error(`expected 101 Switching Protocols, got ${response.statusCode ?? 0}`));
    });
    request.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', reject);
      const accept = response.headers['sec-websocket-accept'];
      if (accept !== webSocketAccept(key)) {
        socket.destroy();
        reject(new Error(`bad Sec-WebSocket-Accept ${String(accept)}`));
        return;
      }
      let buffered = head;
      const consume = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        const decoded = decodeWebSocketFrame(buffered);
        if (decoded === undefined) return;
        socket.off('data', consume);
        // Say goodbye properly so nginx and the backend tear the tunnel down at once.
        socket.end(encodeWebSocketFrame(0x8, Buffer.alloc(0), true));
        setTimeout(() => socket.destroy(), 1_000).unref();
        if (decoded.frame.opcode === 0x1) resolve(decoded.frame.payload.toString('utf8'));
        else reject(new Error(`expected a text frame, got opcode ${decoded.frame.opcode}`));
      };
      socket.on('data', consume);
      socket.write(encodeWebSocketFrame(0x1, Buffer.from(options.message, 'utf8'), true));
      consume(Buffer.alloc(0));
    });
    request.end();
  });
}

/** Destroys the request (and so its socket) if the exchange has not settled within the bound. */
function failAfterTimeout(request: ClientRequest, what: string, reject: (error: Error) => void): void {
  const timer = setTimeout(() => {
    const error = new Error(`${what} did not finish within ${requestTimeoutMs} ms`);
    reject(error);
    request.destroy(error);
  }, requestTimeoutMs);
  const clear = (): void => clearTimeout(timer);
  request.once('response', (response: IncomingMessage) => response.once('close', clear));
  request.once('upgrade', (_response: IncomingMessage, socket: Socket) => socket.once('close', clear));
  request.once('error', clear);
}

function describeTarget(options: { readonly address?: string; readonly port: number; readonly path: string; readonly host?: string }): string {
  const target = `${options.address ?? '127.0.0.1'}:${options.port}${options.path}`;
  return options.host === undefined ? target : `${target} (Host: ${options.host})`;
}

/** SNI must be a DNS name; node warns about IP addresses, and an empty name sends none. */
function sniName(servername: string | undefined, host: string | undefined): string {
  const name = servername ?? host?.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1') ?? '';
  return isIP(name) === 0 ? name : '';
}

function readPeerCertificate(socket: TLSSocket): PeerCertificate | undefined {
  const certificate = socket.getPeerCertificate();
  // node returns an empty object when the server sent no certificate.
  if (certificate.raw === undefined) return undefined;
  return {
    fingerprint256: certificate.fingerprint256,
    raw: certificate.raw,
    ...(certificate.subjectaltname !== undefined ? { subjectaltname: certificate.subjectaltname } : {}),
  };
}

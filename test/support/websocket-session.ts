// A WebSocket kept open across events (reloads), for the long-lived connection tests: send text, await the
// echo, and learn when (and whether) the proxy closed the connection.
import { randomBytes } from 'node:crypto';
import { request as httpRequestRaw, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { decodeWebSocketFrame, encodeWebSocketFrame, webSocketAccept } from './echo-backend.js';

export interface WebSocketSession {
  /** Sends one text frame and resolves with the text of the next frame received; rejects if the connection ends first. */
  echo(message: string): Promise<string>;
  /** Resolves with the time (performance.now()) the connection ended, whoever ended it. */
  readonly closed: Promise<number>;
  close(): void;
}

/** Opens a WebSocket to `host` through `port` (127.0.0.1) and completes the handshake. */
export async function openWebSocket(options: { readonly port: number; readonly host: string; readonly path: string }): Promise<WebSocketSession> {
  const key = randomBytes(16).toString('base64');
  const request = httpRequestRaw({
    host: '127.0.0.1',
    port: options.port,
    path: options.path,
    agent: false,
    headers: { host: options.host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
  });
  const { socket, head } = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => reject(new Error(`expected 101, got ${response.statusCode ?? 0}`)));
    request.on('upgrade', (response: IncomingMessage, upgraded: Socket, rest: Buffer) => {
      if (response.headers['sec-websocket-accept'] !== webSocketAccept(key)) reject(new Error('bad Sec-WebSocket-Accept'));
      else resolve({ socket: upgraded, head: rest });
    });
    request.end();
  });
  let buffered = head;
  let waiting: { resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      waiting?.reject(new Error('the connection closed before the echo'));
      waiting = undefined;
      resolve(performance.now());
    });
  });
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let decoded = decodeWebSocketFrame(buffered); decoded; decoded = decodeWebSocketFrame(buffered)) {
      buffered = decoded.rest;
      if (decoded.frame.opcode === 0x1) {
        waiting?.resolve(decoded.frame.payload.toString('utf8'));
        waiting = undefined;
      }
    }
  });
  return {
    closed,
    echo: (message) =>
      new Promise<string>((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('the connection is closed'));
        waiting = { resolve, reject };
        socket.write(encodeWebSocketFrame(0x1, Buffer.from(message), true));
      }),
    close: () => socket.destroy(),
  };
}

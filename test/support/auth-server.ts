// A loopback external-auth server for integration tests (what oauth2-proxy is to auth-url): it records every
// request and answers with the status the original request asked for in `X-Test-Auth` (200 when absent with
// a `Cookie: session=ok`, else 401), with the response headers a real one sets.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export interface AuthRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface AuthServer {
  readonly port: number;
  readonly requests: AuthRequest[];
  close(): Promise<void>;
}

/** Answers 2xx with `X-Auth-Request-User: alice`, `X-Auth-Request-Email` and a Set-Cookie. */
export async function startAuthServer(): Promise<AuthServer> {
  const requests: AuthRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const asked = request.headers['x-test-auth'];
      const status = typeof asked === 'string' ? Number(asked) : request.headers.cookie === 'session=ok' ? 200 : 401;
      const headers: Record<string, string> = { 'content-length': '0', 'set-cookie': 'session=refreshed; Path=/' };
      if (status >= 200 && status < 300) Object.assign(headers, { 'x-auth-request-user': 'alice', 'x-auth-request-email': 'alice@example.test' });
      response.writeHead(status, headers);
      response.end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the auth server has no port');
  return {
    port: address.port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

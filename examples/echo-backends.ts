// The example's stand-in Pods: one tiny HTTP server per EndpointSlice endpoint, answering with who it is
// and what it received, so every curl shows which Service and which endpoint nginx chose.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { compareText } from '../src/model/diagnostic.js';
import type { Snapshot } from '../src/model/snapshot.js';

/** The JSON body every request gets back. */
export interface EchoAnswer {
  /** The Service the endpoint belongs to. */
  readonly backend: string;
  /** `address:port` of the endpoint that answered. */
  readonly endpoint: string;
  /** The endpoint's ready condition in its EndpointSlice (a not-ready one should never be asked). */
  readonly ready: boolean;
  readonly method: string;
  /** Path and query as the backend received them: nginx passes them on unchanged. */
  readonly path: string;
  /** The Host header nginx sent on (it keeps the client's). */
  readonly host: string;
  /** X-Forwarded-Proto: `https` when nginx terminated TLS. */
  readonly forwardedProto: string;
}

export interface EchoBackend {
  readonly service: string;
  readonly address: string;
  readonly port: number;
  readonly ready: boolean;
  /** How many requests reached it. */
  readonly requestCount: () => number;
}

export interface EchoBackends {
  readonly backends: readonly EchoBackend[];
  close(): Promise<void>;
}

/**
 * Starts a backend for every endpoint address and port in the snapshot's EndpointSlices, not-ready ones
 * included: a Pod that fails its readiness probe usually still listens, and the example shows that nginx
 * sends it nothing anyway.
 */
export async function startEchoBackends(snapshot: Snapshot): Promise<EchoBackends> {
  const wanted = new Map<string, { service: string; address: string; port: number; ready: boolean }>();
  for (const slice of snapshot.endpointSlices) {
    for (const endpoint of slice.endpoints) {
      const address = endpoint.addresses[0];
      if (address === undefined) continue;
      for (const { port } of slice.ports) wanted.set(`${address}:${port}`, { service: slice.serviceName, address, port, ready: endpoint.ready });
    }
  }

  const servers: { server: Server; sockets: Set<Socket> }[] = [];
  const backends: EchoBackend[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map(({ server, sockets }) => closeServer(server, sockets)));
  };
  try {
    for (const spec of [...wanted.values()].sort((a, b) => compareText(a.service, b.service) || compareText(a.address, b.address) || a.port - b.port)) {
      let count = 0;
      const server = createServer((request, response) => {
        count++;
        const answer: EchoAnswer = {
          backend: spec.service,
          endpoint: `${spec.address}:${spec.port}`,
          ready: spec.ready,
          method: request.method ?? '',
          path: request.url ?? '',
          host: request.headers.host ?? '',
          forwardedProto: String(request.headers['x-forwarded-proto'] ?? ''),
        };
        const body = `${JSON.stringify(answer, null, 2)}\n`;
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      });
      // server.close() waits for idle keep-alive connections (nginx keeps some open), so track and cut them.
      const sockets = new Set<Socket>();
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await listen(server, spec.address, spec.port);
      servers.push({ server, sockets });
      backends.push({ ...spec, requestCount: () => count });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { backends, close };
}

async function listen(server: Server, address: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'EADDRINUSE'
          ? ' (is an earlier run still going?)'
          : error.code === 'EADDRNOTAVAIL'
            ? ' (Linux answers on all of 127.0.0.0/8; elsewhere add the address to the loopback interface)'
            : '';
      reject(new Error(`cannot start an echo backend on ${address}:${port}: ${error.message}${hint}`));
    });
    server.listen({ host: address, port, exclusive: true }, () => resolve());
  });
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
}

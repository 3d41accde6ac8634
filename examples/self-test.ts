// EXAMPLES_SELF_TEST=1: sends the Quick start's requests through the running nginx and checks that each is
// answered the way examples/manifests says, so CI can prove the Quick start works end to end.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { EchoAnswer, EchoBackends } from './echo-backends.js';

const requestTimeoutMs = 5_000;

export interface SelfTestTarget {
  /** Where nginx listens. */
  readonly address: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The self-signed certificate of Secret secure-example-tls: trusting it alone proves nginx presents it. */
  readonly secureCertificate: string;
  readonly backends: EchoBackends;
  /** nginx's error log, quoted on failure: a failed TLS handshake, say, is explained only there. */
  readonly errorLog: string;
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Check {
  readonly title: string;
  /** Returns what was seen (one line) and throws with the difference when it is not what the manifests say. */
  readonly run: () => Promise<string>;
}

/** Runs every check, prints one line each, and says whether all passed. */
export async function runSelfTest(target: SelfTestTarget): Promise<boolean> {
  const checks = checksFor(target);
  process.stdout.write(`\nself-test: ${checks.length} checks through nginx on ${target.address}:${target.httpPort} (http) and :${target.httpsPort} (https)\n`);
  let failures = 0;
  for (const check of checks) {
    try {
      const seen = await check.run();
      process.stdout.write(`  ok    ${check.title}\n          ${seen}\n`);
    } catch (error) {
      failures++;
      process.stdout.write(`  FAIL  ${check.title}\n          ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (failures === 0) {
    process.stdout.write(`self-test passed: ${checks.length} of ${checks.length}\n`);
    return true;
  }
  process.stdout.write(`self-test FAILED: ${failures} of ${checks.length}\n`);
  const problems = (await readFile(target.errorLog, 'utf8').catch(() => '')).split('\n').filter((line) => /\[(?:error|crit|alert|emerg)\]/.test(line));
  if (problems.length > 0) process.stdout.write(`nginx's error log (${target.errorLog}) says:\n${problems.slice(-5).map((l) => `  ${l}\n`).join('')}`);
  return false;
}

/** The expectations, each one taken from a comment in examples/manifests. */
function checksFor(target: SelfTestTarget): Check[] {
  const http = (host: string, path: string, agent?: Agent): Promise<Reply> => get(target, { host, path, isTls: false, agent });
  const https = (host: string, path: string): Promise<Reply> => get(target, { host, path, isTls: true, agent: undefined });
  const redirectPort = target.httpsPort === 443 ? '' : `:${target.httpsPort}`;

  return [
    {
      title: 'shop.example.test/ (4 requests on one connection) -> frontend, alternating between its two endpoints',
      run: async () => {
        // One client connection means one nginx worker, whose round robin then strictly alternates; with a
        // connection per request, each worker would start its own round and might pick the same endpoint.
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const seen: string[] = [];
          for (let i = 0; i < 4; i++) seen.push(expectEcho(await http('shop.example.test', '/', agent), { backend: 'frontend' }).endpoint);
          const distinct = [...new Set(seen)].sort();
          expectEqual('endpoints', distinct.join(' '), '127.0.0.1:9001 127.0.0.2:9001');
          return `frontend answered from ${seen.join(', ')}`;
        } finally {
          agent.destroy();
        }
      },
    },
    {
      title: 'shop.example.test/api/items -> api (Prefix /api), path and Host passed on unchanged',
      run: async () => describe(expectEcho(await http('shop.example.test', '/api/items?page=2'), { backend: 'api', endpoint: '127.0.0.3:9002', path: '/api/items?page=2', host: 'shop.example.test' })),
    },
    {
      title: 'shop.example.test/api -> api (a Prefix matches the path itself)',
      run: async () => describe(expectEcho(await http('shop.example.test', '/api'), { backend: 'api', path: '/api' })),
    },
    {
      title: 'shop.example.test/apiary -> frontend (a Prefix matches whole path elements, so /api does not)',
      run: async () => describe(expectEcho(await http('shop.example.test', '/apiary'), { backend: 'frontend', path: '/apiary' })),
    },
    {
      title: 'shop.example.test/healthz -> api (Exact)',
      run: async () => describe(expectEcho(await http('shop.example.test', '/healthz'), { backend: 'api', path: '/healthz' })),
    },
    {
      title: 'shop.example.test/healthz/deep -> frontend (Exact matches nothing below it)',
      run: async () => describe(expectEcho(await http('shop.example.test', '/healthz/deep'), { backend: 'frontend', path: '/healthz/deep' })),
    },
    {
      title: 'shop.example.test/checkout/cart -> 503 (no ready endpoint), and the not-ready endpoints got nothing',
      run: async () => {
        const reply = await http('shop.example.test', '/checkout/cart');
        expectEqual('status', reply.status, 503);
        const reached = target.backends.backends.filter((b) => b.service === 'checkout' && b.requestCount() > 0);
        expectEqual('not-ready endpoints that received requests', reached.map((b) => `${b.address}:${b.port}`).join(' '), '');
        return '503 from nginx itself';
      },
    },
    {
      title: 'blog.example.test/2024/hello -> blog (a second virtual host on the same port)',
      run: async () => describe(expectEcho(await http('blog.example.test', '/2024/hello'), { backend: 'blog', endpoint: '127.0.0.6:9004', host: 'blog.example.test' })),
    },
    {
      title: 'preview.apps.example.test/ -> apps (wildcard host *.apps.example.test)',
      run: async () => describe(expectEcho(await http('preview.apps.example.test', '/'), { backend: 'apps', endpoint: '127.0.0.7:9005', host: 'preview.apps.example.test' })),
    },
    {
      title: 'a.b.apps.example.test/ -> 404 (the wildcard stands for exactly one label)',
      run: async () => expectStatus(await http('a.b.apps.example.test', '/'), 404),
    },
    {
      title: 'unknown.example.test/ -> 404 (no rule names the host: the default server answers)',
      run: async () => expectStatus(await http('unknown.example.test', '/'), 404),
    },
    {
      title: 'http://secure.example.test/login -> 308 to HTTPS (the host has TLS)',
      run: async () => {
        const reply = await http('secure.example.test', '/login?next=%2F');
        expectEqual('status', reply.status, 308);
        expectEqual('location', reply.headers.location, `https://secure.example.test${redirectPort}/login?next=%2F`);
        return `308 Location: ${reply.headers.location ?? ''}`;
      },
    },
    {
      title: 'https://secure.example.test/ -> secure, with the Secret certificate (verified for the name) and X-Forwarded-Proto https',
      run: async () => describe(expectEcho(await https('secure.example.test', '/'), { backend: 'secure', endpoint: '127.0.0.8:9006', forwardedProto: 'https' })),
    },
  ];
}

/** Checks that an echo backend answered with the expected fields; returns its answer. */
function expectEcho(reply: Reply, expected: Partial<EchoAnswer>): EchoAnswer {
  if (reply.status !== 200) throw new Error(`expected 200 from an echo backend, got ${reply.status}: ${reply.body.slice(0, 200).trim()}`);
  const answer = JSON.parse(reply.body) as EchoAnswer;
  for (const [key, value] of Object.entries(expected)) expectEqual(key, answer[key as keyof EchoAnswer], value);
  return answer;
}

function expectStatus(reply: Reply, status: number): string {
  expectEqual('status', reply.status, status);
  return `${reply.status} from nginx itself`;
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function describe(answer: EchoAnswer): string {
  return `${answer.backend} answered from ${answer.endpoint}: ${answer.method} ${answer.path}, Host ${answer.host}, X-Forwarded-Proto ${answer.forwardedProto}`;
}

/** One GET, with the Host header (and for TLS the SNI name) of a virtual host, sent to nginx's address. */
async function get(target: SelfTestTarget, options: { host: string; path: string; isTls: boolean; agent: Agent | undefined }): Promise<Reply> {
  const base = {
    host: target.address,
    path: options.path,
    headers: { host: options.host },
    agent: options.agent ?? false,
  };
  const request = options.isTls
    ? httpsRequest({ ...base, port: target.httpsPort, servername: options.host, ca: target.secureCertificate })
    : httpRequest({ ...base, port: target.httpPort });
  return new Promise<Reply>((resolve, reject) => {
    request.setTimeout(requestTimeoutMs, () => request.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
    request.once('error', reject);
    request.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end();
  });
}

// Proves the real-nginx harness itself: start, proxy, reload, rejection, WebSocket, TLS and client address.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest, websocketEcho } from '../support/http-client.js';
import { startNginx, testNginxConfig, type RunningNginx } from '../support/nginx-harness.js';
import { freePort, freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const run = promisify(execFile);

/** A whole nginx.conf with everything nginx writes kept under `runtimeDir`; `http` is the http{} body. */
function nginxConf(runtimeDir: string, http: string, workers = 1): string {
  return `pid ${runtimeDir}/nginx.pid;
error_log ${runtimeDir}/error.log notice;
worker_processes ${workers};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${runtimeDir}/client_body_temp;
  proxy_temp_path ${runtimeDir}/proxy_temp;
  fastcgi_temp_path ${runtimeDir}/fastcgi_temp;
  uwsgi_temp_path ${runtimeDir}/uwsgi_temp;
  scgi_temp_path ${runtimeDir}/scgi_temp;
${http}
}
`;
}

function proxyServer(port: number, backend: EchoBackend, extra = ''): string {
  return `  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${backend.host}:${backend.port};
      proxy_set_header Host $host;
${extra}
    }
  }`;
}

async function isAccepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('nginx test harness', function () {
  this.timeout(20_000);

  let workDir = '';
  let caseNumber = 0;
  let backends: EchoBackend[] = [];
  let nginxes: RunningNginx[] = [];

  before(async () => {
    workDir = await makeTempDir('portico-harness-');
  });
  afterEach(async () => {
    await Promise.all(nginxes.map((nginx) => nginx.stop()));
    await Promise.all(backends.map((backend) => backend.close()));
    nginxes = [];
    backends = [];
  });
  after(async () => {
    await removeDir(workDir);
  });

  function runtimeDir(): string {
    caseNumber += 1;
    return join(workDir, `case-${caseNumber}`);
  }
  async function backend(name: string, host?: string, port?: number): Promise<EchoBackend> {
    const started = await startEchoBackend(name, { ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port } : {}) });
    backends.push(started);
    return started;
  }
  async function nginx(dir: string, config: string, port: number): Promise<RunningNginx> {
    const started = await startNginx({ config, runtimeDir: dir, waitForPort: port });
    nginxes.push(started);
    return started;
  }

  it('hands out distinct free ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).to.equal(5);
    expect(await freePort()).to.be.a('number').greaterThan(0);
  });

  it('starts nginx and proxies to an echo backend, which sees the Host header', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    await nginx(dir, nginxConf(dir, proxyServer(port, alpha)), port);

    const response = await httpRequest({ port, path: '/hello?x=1', host: 'app.test' });

    expect(response.status).to.equal(200);
    const echoed = response.json<EchoResponse>();
    expect(echoed.backend).to.equal('alpha');
    expect(echoed.url).to.equal('/hello?x=1');
    expect(echoed.headers['host']).to.equal('app.test');
    expect(alpha.requests).to.have.length(1);
  });

  it('passes the method and request body through to the backend', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    await nginx(dir, nginxConf(dir, proxyServer(port, alpha)), port);

    const response = await httpRequest({ port, path: '/submit', method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });

    expect(response.json<EchoResponse>().method).to.equal('POST');
    expect(alpha.requests[0]?.body).to.equal('{"a":1}');
    expect(alpha.requests[0]?.headers['content-type']).to.equal('application/json');
  });

  it('reload switches traffic to a second backend on the same port but another loopback address', async () => {
    const [backendPort, port] = await freePorts(2);
    if (backendPort === undefined || port === undefined) throw new Error('no ports');
    const alpha = await backend('alpha', '127.0.0.2', backendPort);
    const beta = await backend('beta', '127.0.0.3', backendPort);
    const dir = runtimeDir();
    const toAlpha = nginxConf(dir, proxyServer(port, alpha), 2);
    const toBeta = nginxConf(dir, proxyServer(port, beta), 2);
    const running = await nginx(dir, toAlpha, port);
    expect((await httpRequest({ port, path: '/' })).json<EchoResponse>().backend).to.equal('alpha');

    // Several round trips: a reload that returned before the old workers stopped accepting would flake here.
    for (const [config, expected] of [[toBeta, 'beta'], [toAlpha, 'alpha'], [toBeta, 'beta']] as const) {
      await running.reload(config);
      for (let i = 0; i < 5; i++) {
        expect((await httpRequest({ port, path: `/${i}` })).json<EchoResponse>().backend).to.equal(expected);
      }
    }
    expect(await running.errorLog()).to.include('reconfiguring');
  });

  it('startNginx throws nginx’s message and the numbered offending line for a config nginx rejects', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    const broken = nginxConf(dir, proxyServer(port, alpha, '      bogus_directive on;'));

    const failure = await startNginx({ config: broken, runtimeDir: dir, waitForPort: port }).then(
      () => new Error('startNginx resolved'),
      (error: unknown) => error as Error,
    );

    expect(failure.message).to.include('unknown directive "bogus_directive"');
    const line = broken.split('\n').findIndex((text) => text.includes('bogus_directive')) + 1;
    expect(failure.message).to.include(`nginx.conf:${line}`);
    expect(failure.message).to.match(new RegExp(`> ${line} \\|\\s+bogus_directive on;`));
    expect(await isAccepting(port)).to.equal(false);
    expect((await testNginxConfig(join(dir, 'nginx.conf'), dir)).ok).to.equal(false);
  });

  it('a rejected reload throws nginx’s message while the old config keeps serving', async () => {
    const alpha = await backend('alpha');
    const beta = await backend('beta');
    const port = await freePort();
    const dir = runtimeDir();
    const running = await nginx(dir, nginxConf(dir, proxyServer(port, alpha)), port);

    const broken = nginxConf(dir, proxyServer(port, beta, '      proxy_pass_header;'));
    const failure = await running.reload(broken).then(
      () => new Error('reload resolved'),
      (error: unknown) => error as Error,
    );

    expect(failure.message).to.include('invalid number of arguments in "proxy_pass_header" directive');
    expect((await httpRequest({ port, path: '/' })).json<EchoResponse>().backend).to.equal('alpha');
    expect((await testNginxConfig(running.configPath, dir)).ok, 'nginx.conf still holds the running config').to.equal(true);
  });

  it('a reload that nginx -t accepts but the master cannot apply throws and keeps serving', async () => {
    const alpha = await backend('alpha');
    const beta = await backend('beta');
    const [port, takenPort] = await freePorts(2);
    if (port === undefined || takenPort === undefined) throw new Error('no ports');
    const squatter = await backend('squatter', '127.0.0.1', takenPort);
    const dir = runtimeDir();
    const running = await nginx(dir, nginxConf(dir, proxyServer(port, alpha)), port);

    const failure = await running.reload(nginxConf(dir, `${proxyServer(port, beta)}\n${proxyServer(squatter.port, beta)}`)).then(
      () => new Error('reload resolved'),
      (error: unknown) => error as Error,
    );

    expect(failure.message).to.include('Address already in use');
    expect((await httpRequest({ port, path: '/' })).json<EchoResponse>().backend).to.equal('alpha');
  });

  it('proxies a WebSocket upgrade and the echo comes back', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    const upgrade = `      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";`;
    await nginx(dir, nginxConf(dir, proxyServer(port, alpha, upgrade)), port);

    const echoed = await websocketEcho({ port, path: '/socket', host: 'ws.test', message: 'hello through nginx' });

    expect(echoed).to.equal('hello through nginx');
    expect(alpha.requests[0]?.isUpgrade).to.equal(true);
    expect(alpha.requests[0]?.url).to.equal('/socket');
    expect(alpha.requests[0]?.headers['upgrade']).to.equal('websocket');
  });

  it('serves TLS with the configured certificate', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    const certDir = await makeTempDir('portico-harness-cert-');
    try {
      const cert = join(certDir, 'a.test.crt');
      const key = join(certDir, 'a.test.key');
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=a.test', '-addext', 'subjectAltName=DNS:a.test', '-days', '2', '-keyout', key, '-out', cert]);
      const server = `  server {
    listen 127.0.0.1:${port} ssl;
    server_name a.test;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / { proxy_pass http://${alpha.host}:${alpha.port}; proxy_set_header Host $host; }
  }`;
      await nginx(dir, nginxConf(dir, server), port);

      const response = await httpRequest({ port, path: '/secure', host: 'a.test', tls: { servername: 'a.test' } });

      expect(response.status).to.equal(200);
      expect(response.json<EchoResponse>().backend).to.equal('alpha');
      expect(response.peerCertificate?.subjectaltname).to.include('DNS:a.test');
      expect(response.peerCertificate?.fingerprint256).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    } finally {
      await removeDir(certDir);
    }
  });

  it('sends from the requested local address, which nginx reports as X-Real-IP', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    await nginx(dir, nginxConf(dir, proxyServer(port, alpha, '      proxy_set_header X-Real-IP $remote_addr;')), port);

    await httpRequest({ port, path: '/', localAddress: '127.0.0.2' });
    await httpRequest({ port, path: '/', localAddress: '127.0.0.3' });

    expect(alpha.requests.map((request) => request.headers['x-real-ip'])).to.deep.equal(['127.0.0.2', '127.0.0.3']);
  });

  it('stop() shuts nginx down so the port no longer accepts connections', async () => {
    const alpha = await backend('alpha');
    const port = await freePort();
    const dir = runtimeDir();
    const running = await nginx(dir, nginxConf(dir, proxyServer(port, alpha)), port);
    expect(await isAccepting(port)).to.equal(true);

    await running.stop();
    await running.stop();

    expect(await isAccepting(port)).to.equal(false);
  });
});

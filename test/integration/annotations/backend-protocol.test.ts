// backend-protocol through a real nginx: an HTTPS backend with a self-signed certificate, and gRPC-style
// HTTP/2 exchanges (a client speaking h2 over ALPN on nginx's TLS port, to an h2c backend with grpc:// and
// a TLS h2 backend with grpcs://), with the forwarded headers and the grpc-status trailer; AUTO_HTTP is
// refused and rejects its Ingress alone.
import { expect } from 'chai';
import { connect, constants, type IncomingHttpHeaders } from 'node:http2';
import { makeCertificate } from '../../support/certificates.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../../support/echo-backend.js';
import { httpRequest } from '../../support/http-client.js';
import { nginxKey } from '../../support/annotation-cases.js';
import { endpoints, ingress, service, tlsSecret } from '../../support/objects.js';
import { serveObjects, type ServedConfig } from '../../support/serve-snapshot.js';

interface Http2Answer {
  readonly alpn: string | false | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/2 POST over TLS, negotiated with ALPN as gRPC clients do. */
async function http2Post(port: number, host: string, path: string, headers: Record<string, string>): Promise<Http2Answer> {
  const session = connect(`https://127.0.0.1:${port}`, { servername: host, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
  try {
    return await new Promise<Http2Answer>((resolve, reject) => {
      session.on('error', reject);
      const stream = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: path, [constants.HTTP2_HEADER_AUTHORITY]: host, 'content-type': 'application/grpc', te: 'trailers', ...headers });
      let responseHeaders: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (responseHeaders = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve({ alpn: session.alpnProtocol, headers: responseHeaders, trailers, body: Buffer.concat(chunks).toString('utf8') }));
      stream.setTimeout(10_000, () => reject(new Error(`no answer from ${host}${path}`)));
      stream.end('\u0000\u0000\u0000\u0000\u0000');
    });
  } finally {
    session.close();
  }
}

describe('annotation backend-protocol through nginx', () => {
  let served: ServedConfig;
  const backends: EchoBackend[] = [];

  before(async () => {
    const backendCertificate = makeCertificate({ hosts: ['backend.internal'] });
    const https = await startEchoBackend('https', { protocol: 'https', certificate: backendCertificate });
    const h2c = await startEchoBackend('h2c', { protocol: 'h2c' });
    const h2 = await startEchoBackend('h2', { protocol: 'h2', certificate: backendCertificate });
    backends.push(https, h2c, h2);
    const hosts = ['https.test', 'grpc.test', 'grpcs.test', 'bad.test'];
    const site = makeCertificate({ hosts });
    const annotated = (name: string, host: string, service: string, protocol: string) =>
      ingress(name, {
        annotations: { [nginxKey('backend-protocol')]: protocol },
        rules: [{ host, paths: [{ service }] }],
        tls: [{ hosts: [host], secretName: 'site' }],
      });
    served = await serveObjects([
      annotated('https', 'https.test', 'https', 'HTTPS'),
      annotated('grpc', 'grpc.test', 'h2c', 'GRPC'),
      annotated('grpcs', 'grpcs.test', 'h2', 'GRPCS'),
      annotated('bad', 'bad.test', 'https', 'AUTO_HTTP'),
      tlsSecret('site', site),
      ...[https, h2c, h2].flatMap((b) => [service(b.name), endpoints(b.name, { port: b.port, ready: ['127.0.0.1'] })]),
    ]);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  it('HTTPS: proxies over TLS to a backend with a self-signed certificate', async () => {
    const answer = await httpRequest({ port: served.httpsPort, host: 'https.test', path: '/secure?x=1', tls: {} });
    expect(answer.status).to.equal(200);
    const echo = answer.json<EchoResponse>();
    expect(echo.backend).to.equal('https');
    expect(echo.url).to.equal('/secure?x=1');
    expect(echo.headers['x-forwarded-proto']).to.equal('https');
  });

  it('GRPC: an h2 client on the TLS port reaches an h2c backend, with headers and the grpc-status trailer', async () => {
    const answer = await http2Post(served.httpsPort, 'grpc.test', '/echo.Echo/Say', { 'x-request-id': 'grpc-1' });
    expect(answer.alpn).to.equal('h2');
    expect(answer.headers[':status']).to.equal(200);
    expect(answer.trailers['grpc-status']).to.equal('0');
    const echo = JSON.parse(answer.body) as EchoResponse;
    expect(echo.backend).to.equal('h2c');
    expect(echo.url).to.equal('/echo.Echo/Say');
    expect(echo.headers['content-type']).to.equal('application/grpc');
    expect(echo.headers['x-request-id']).to.equal('grpc-1');
    expect(echo.headers['x-forwarded-for']).to.equal('127.0.0.1');
    expect(echo.headers[':authority'] ?? echo.headers['host']).to.equal('grpc.test');
  });

  it('GRPCS: the same over TLS to the backend', async () => {
    const answer = await http2Post(served.httpsPort, 'grpcs.test', '/echo.Echo/Say', {});
    expect(answer.trailers['grpc-status']).to.equal('0');
    expect((JSON.parse(answer.body) as EchoResponse).backend).to.equal('h2');
  });

  it('refuses AUTO_HTTP: that Ingress is rejected, the others are served', async () => {
    expect((await httpRequest({ port: served.httpsPort, host: 'bad.test', path: '/', tls: {} })).status).to.equal(404);
    const refused = served.diagnostics.find((d) => d.code === 'INVALID_ANNOTATION');
    expect(refused?.object.name).to.equal('bad');
    expect(refused?.message).to.contain('AUTO_HTTP is not supported');
  });
});

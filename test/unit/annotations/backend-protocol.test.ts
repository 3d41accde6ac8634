// backend-protocol: HTTPS and gRPC passes, upstreams per protocol, gRPC headers, refused protocols.
import { expect } from 'chai';
import { compile } from '../../../src/pipeline/compile.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';
import { buildAnnotated, hostileValues, nginxKey, rejectionOf, renderedLocation } from '../../support/annotation-cases.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpointSlice, ingress, service } from '../../support/objects.js';
import { parseNginxConfig } from '../../support/nginx-config-tokens.js';

describe('annotation backend-protocol', () => {
  const passes: readonly [string, string, string][] = [
    ['HTTP', 'proxy_pass', 'http://default_web_80'],
    ['HTTPS', 'proxy_pass', 'https://default_web_80_https'],
    ['https', 'proxy_pass', 'https://default_web_80_https'],
    ['GRPC', 'grpc_pass', 'grpc://default_web_80_grpc'],
    ['GRPCS', 'grpc_pass', 'grpcs://default_web_80_grpcs'],
  ];
  for (const [value, directive, target] of passes) {
    it(`${value}: ${directive} ${target}`, async () => {
      const objects = [
        ingress('app', { annotations: { [nginxKey('backend-protocol')]: value }, rules: [{ host: 'app.test', paths: [{ service: 'web' }] }] }),
        service('web'),
        endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
      ];
      const result = compile(snapshotOf(objects), await loadTemplates(), goldenOptions);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(renderedLocation(result.rendered.config, 'app.test', '/').at(-1)).to.deep.equal([directive, target]);
    });
  }

  it('declares the forwarded headers for grpc_pass at http{} level, once, only when some Ingress uses gRPC', async () => {
    const template = await loadTemplates();
    const objects = (protocol: string) => [
      ingress('a', { annotations: { [nginxKey('backend-protocol')]: protocol }, rules: [{ host: 'a.test', paths: [{ service: 'web' }] }] }),
      ingress('b', { annotations: { [nginxKey('backend-protocol')]: protocol }, rules: [{ host: 'b.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: 8080, endpoints: [{ address: '10.0.0.1' }] }),
    ];
    const httpLevel = (config: string) => {
      const http = parseNginxConfig(config).statements.find((s) => s.name.text === 'http');
      return (http?.block ?? []).filter((s) => s.name.text === 'grpc_set_header').map((s) => s.args.map((a) => a.text).join(' '));
    };
    const grpc = httpLevel(compile(snapshotOf(objects('GRPC')), template, goldenOptions).rendered.config);
    expect(grpc).to.deep.equal([
      'Host $host',
      'X-Request-ID $portico_request_id',
      'X-Real-IP $remote_addr',
      'X-Forwarded-For $remote_addr',
      'X-Forwarded-Host $host',
      'X-Forwarded-Port $server_port',
      'X-Forwarded-Proto $scheme',
      'X-Scheme $scheme',
      'Proxy ',
    ]);
    expect(httpLevel(compile(snapshotOf(objects('HTTPS')), template, goldenOptions).rendered.config)).to.deep.equal([]);
  });

  it('offers HTTP/2 on the TLS port', async () => {
    const result = compile(snapshotOf([]), await loadTemplates(), goldenOptions);
    const http = parseNginxConfig(result.rendered.config).statements.find((s) => s.name.text === 'http');
    const listens = (http?.block ?? []).flatMap((s) => (s.name.text === 'server' ? (s.block ?? []) : [])).filter((s) => s.name.text === 'listen');
    expect(listens.map((l) => l.args.map((a) => a.text).join(' '))).to.deep.equal(['80 default_server', '443 ssl http2 default_server']);
  });

  for (const value of ['AUTO_HTTP', 'FCGI']) {
    it(`refuses ${value} with a clear diagnostic`, () => {
      const result = buildAnnotated({ 'backend-protocol': value });
      expect(rejectionOf(result, 'backend-protocol')?.message).to.equal(`rejected: ${value} is not supported; use HTTP, HTTPS, GRPC or GRPCS`);
      expect(result.model.servers).to.deep.equal([]);
    });
  }

  for (const value of ['H2', 'HTTP2', 'GRPC-WEB', 'tcp', ...hostileValues]) {
    it(`rejects ${JSON.stringify(value.slice(0, 40))} naming the key`, () => {
      const result = buildAnnotated({ 'backend-protocol': value });
      expect(rejectionOf(result, 'backend-protocol')?.message).to.match(/^rejected: expected one of HTTP, HTTPS, GRPC, GRPCS/);
    });
  }
});

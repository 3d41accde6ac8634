// Hostile manifests through a real nginx: each bad Ingress is rejected alone with a diagnostic, nginx accepts
// the config, the good host keeps working and nothing the attacker wrote becomes nginx syntax.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { snapshotOf } from '../../src/model/snapshot.js';
import { parseManifests } from '../../src/sources/manifests/read-manifests.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { endpoints, ingress } from '../support/objects.js';
import { serveObjects, type ServedConfig } from '../support/serve-snapshot.js';

const HOSTILE = fileURLToPath(new URL('../../../test/golden/cases/hostile-input/input.yaml', import.meta.url));

describe('hostile input through nginx', () => {
  let backend: EchoBackend;
  let served: ServedConfig;

  before(async () => {
    backend = await startEchoBackend('web');
    const parsed = parseManifests(await readFile(HOSTILE, 'utf8'), 'input.yaml');
    const snapshot = snapshotOf(parsed.objects);
    // Hostile values that the normalizer accepts but the build must refuse, beyond the golden file's.
    const more = ['/a;b', '/a{b}', "/a'b", '/a\\b', '/a#b', '/a%0ab', '/a b', '/\u202eevil', `/${'a'.repeat(3000)}`].map((path, i) =>
      ingress(`evil-${i}`, { rules: [{ host: 'evil.test', paths: [{ path, pathType: 'ImplementationSpecific', service: 'web' }] }] }),
    );
    served = await serveObjects([
      ...snapshot.ingresses,
      ...snapshot.services,
      endpoints('web', { port: backend.port, ready: ['127.0.0.1'] }),
      ...more,
    ]);
  });

  after(async () => {
    await served?.stop();
    await backend?.close();
  });

  it('rejects every hostile Ingress with an error naming it, and serves the good one', async () => {
    const rejected = new Set(served.diagnostics.filter((d) => d.severity === 'error').map((d) => d.object.name));
    for (const name of ['brace-path', 'newline-path', 'quote-path', 'dollar-path', 'semicolon-host', 'unicode-host', 'hash-service', 'bad name}', 'bad-tls']) {
      expect(rejected, name).to.include(name);
    }
    for (let i = 0; i < 9; i++) expect(rejected, `evil-${i}`).to.include(`evil-${i}`);
    const response = await httpRequest({ port: served.httpPort, host: 'good.test', path: '/' });
    expect(response.json<EchoResponse>().backend).to.equal('web');
  });

  it('leaves no trace of the hostile values in nginx.conf', () => {
    for (const needle of ['pwned', 'listen 9999', '/etc/passwd', 'evil.test', '../../etc', 'bücher', 'return 200']) {
      expect(served.config, needle).not.to.include(needle);
    }
  });

  it('answers the hostile host from the default server', async () => {
    const response = await httpRequest({ port: served.httpPort, host: 'evil.test', path: '/x' });
    expect(response.status).to.equal(404);
    expect(backend.requests.every((r) => r.headers.host === 'good.test')).to.equal(true);
  });
});

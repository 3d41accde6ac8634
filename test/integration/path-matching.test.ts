// Every row of the Kubernetes documentation's path-matching table, through a real nginx: the request goes to
// the backend the table names, or gets 404. explain's model of nginx is checked against the same answers.
import { expect } from 'chai';
import { explainRequest } from '../../src/explain/explain-request.js';
import type { PathType } from '../../src/model/kube.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { endpointSlice, ingress, service } from '../support/objects.js';
import { serveObjects, type ServedConfig } from '../support/serve-snapshot.js';

interface Row {
  readonly paths: readonly (readonly [PathType, string])[];
  readonly request: string;
  /** Index into `paths` of the path that must answer, or undefined for no match (404). */
  readonly expected: number | undefined;
}

// From https://kubernetes.io/docs/concepts/services-networking/ingress/#examples, in order.
const table: readonly Row[] = [
  { paths: [['Prefix', '/']], request: '/', expected: 0 },
  { paths: [['Prefix', '/']], request: '/anything/at/all', expected: 0 },
  { paths: [['Exact', '/foo']], request: '/foo', expected: 0 },
  { paths: [['Exact', '/foo']], request: '/bar', expected: undefined },
  { paths: [['Exact', '/foo']], request: '/foo/', expected: undefined },
  { paths: [['Exact', '/foo/']], request: '/foo', expected: undefined },
  { paths: [['Prefix', '/foo']], request: '/foo', expected: 0 },
  { paths: [['Prefix', '/foo']], request: '/foo/', expected: 0 },
  { paths: [['Prefix', '/foo/']], request: '/foo', expected: 0 },
  { paths: [['Prefix', '/foo/']], request: '/foo/', expected: 0 },
  { paths: [['Prefix', '/aaa/bb']], request: '/aaa/bbb', expected: undefined },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb', expected: 0 },
  { paths: [['Prefix', '/aaa/bbb/']], request: '/aaa/bbb', expected: 0 },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb/', expected: 0 },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbb/ccc', expected: 0 },
  { paths: [['Prefix', '/aaa/bbb']], request: '/aaa/bbbxyz', expected: undefined },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa']], request: '/aaa/ccc', expected: 1 },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], request: '/aaa/bbb', expected: 2 },
  { paths: [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], request: '/ccc', expected: 0 },
  { paths: [['Prefix', '/aaa']], request: '/ccc', expected: undefined },
  { paths: [['Prefix', '/foo'], ['Exact', '/foo']], request: '/foo', expected: 1 },
  { paths: [['Exact', '/foo'], ['Prefix', '/foo']], request: '/foo', expected: 0 },
  // ImplementationSpecific is Prefix here, and matching is case-sensitive.
  { paths: [['ImplementationSpecific', '/docs']], request: '/docs/intro', expected: 0 },
  { paths: [['ImplementationSpecific', '/docs']], request: '/docsx', expected: undefined },
  { paths: [['Prefix', '/Foo']], request: '/foo', expected: undefined },
];

describe('path matching through nginx (the Kubernetes docs table)', () => {
  let backends: EchoBackend[] = [];
  let served: ServedConfig;

  before(async () => {
    backends = await Promise.all([0, 1, 2].map((i) => startEchoBackend(`path-${i}`)));
    const objects = [
      ...backends.flatMap((b, i) => [
        service(`path-${i}`),
        endpointSlice(`path-${i}`, { port: b.port, endpoints: [{ address: '127.0.0.1' }] }),
      ]),
      ...table.map((row, r) =>
        ingress(`row-${r}`, { rules: [{ host: `row-${r}.paths.test`, paths: row.paths.map(([pathType, path], i) => ({ path, pathType, service: `path-${i}` })) }] }),
      ),
    ];
    served = await serveObjects(objects);
  });

  after(async () => {
    await served?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  table.forEach((row, r) => {
    const paths = row.paths.map(([type, path]) => `${type} ${path}`).join(', ');
    const outcome = row.expected === undefined ? '404' : `${row.paths[row.expected]?.join(' ')}`;
    it(`${paths}: ${row.request} → ${outcome}`, async () => {
      const host = `row-${r}.paths.test`;
      const response = await httpRequest({ port: served.httpPort, host, path: row.request });
      const explained = explainRequest(served.model, served.diagnostics, { scheme: 'http', host, path: row.request, uri: row.request });
      if (row.expected === undefined) {
        expect(response.status).to.equal(404);
        expect(explained.outcome).to.deep.equal({ kind: 'status', status: 404 });
      } else {
        expect(response.status).to.equal(200);
        expect(response.json<EchoResponse>().backend).to.equal(`path-${row.expected}`);
        expect(response.json<EchoResponse>().url).to.equal(row.request);
        expect(explained.route?.service).to.equal(`path-${row.expected}`);
      }
    });
  });
});

// ManifestSource: a watched directory of manifests feeds the store; a broken file keeps its last good objects.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { defaultClassSettings } from '../../src/model/settings.js';
import { ManifestSource } from '../../src/sources/manifests/manifest-source.js';
import type { FileProblem } from '../../src/sources/manifests/read-manifests.js';
import { ObjectStore } from '../../src/store/object-store.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingressYaml = (name: string, host: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: default}
spec:
  ingressClassName: portico
  rules: [{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

describe('ManifestSource', () => {
  let dir: string;
  let source: ManifestSource;
  let store: ObjectStore;
  let relevantChanges: number;
  let problems: FileProblem[];

  const hosts = (): string[] => store.snapshot().ingresses.flatMap((i) => i.rules.map((r) => r.host ?? '')).sort();

  beforeEach(async () => {
    dir = await makeTempDir('portico-source-');
    await mkdir(`${dir}/team`, { recursive: true });
    await writeFile(`${dir}/a.yaml`, ingressYaml('a', 'a.test'));
    await writeFile(`${dir}/team/b.yaml`, ingressYaml('b', 'b.test'));
    store = new ObjectStore({ classes: defaultClassSettings, settingsSource: { namespace: undefined, name: 'portico' } });
    relevantChanges = 0;
    problems = [];
    source = new ManifestSource(dir);
    await source.start({
      onChanges: (changes) => {
        if (changes.map((c) => store.apply(c)).some(Boolean)) relevantChanges += 1;
      },
      onProblem: (problem) => problems.push(problem),
    });
  });

  afterEach(async () => {
    await source.stop();
    await removeDir(dir);
  });

  it('reports every file of the directory tree before start resolves', () => {
    expect(hosts()).to.deep.equal(['a.test', 'b.test']);
    expect(relevantChanges).to.equal(1);
  });

  it('picks up added, changed and removed files', async () => {
    await writeFile(`${dir}/c.yaml`, ingressYaml('c', 'c.test'));
    await waitFor(() => hosts().includes('c.test'));
    await writeFile(`${dir}/a.yaml`, ingressYaml('a', 'a2.test'));
    await waitFor(() => hosts().includes('a2.test'));
    await rm(`${dir}/team/b.yaml`);
    await waitFor(() => !hosts().includes('b.test'));
    expect(hosts()).to.deep.equal(['a2.test', 'c.test']);
  });

  it('keeps the last good objects of a file that stops parsing, and reports it', async () => {
    await writeFile(`${dir}/a.yaml`, 'kind: [broken');
    await waitFor(() => problems.length > 0);
    expect(problems[0]?.file).to.equal(`${dir}/a.yaml`);
    expect(hosts()).to.deep.equal(['a.test', 'b.test']);
    await writeFile(`${dir}/a.yaml`, ingressYaml('a', 'fixed.test'));
    await waitFor(() => hosts().includes('fixed.test'));
  });

  it('keeps the objects of a file caught empty (truncated by a rewrite in progress) until it has content', async () => {
    await writeFile(`${dir}/a.yaml`, '');
    await writeFile(`${dir}/c.yaml`, ingressYaml('c', 'c.test'));
    await waitFor(() => hosts().includes('c.test'));
    expect(hosts()).to.deep.equal(['a.test', 'b.test', 'c.test']);
    await writeFile(`${dir}/a.yaml`, ingressYaml('a', 'rewritten.test'));
    await waitFor(() => hosts().includes('rewritten.test'));
    expect(hosts()).to.deep.equal(['b.test', 'c.test', 'rewritten.test']);
  });

  it('causes no relevant change when a file is rewritten with the same objects', async () => {
    const before = relevantChanges;
    await writeFile(`${dir}/a.yaml`, `# a comment\n${ingressYaml('a', 'a.test')}`);
    await writeFile(`${dir}/c.yaml`, ingressYaml('c', 'c.test'));
    await waitFor(() => hosts().includes('c.test'));
    expect(relevantChanges).to.equal(before + 1);
  });
});

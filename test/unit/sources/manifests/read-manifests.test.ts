// Unit tests for parseManifests: multi-document YAML, `kind: List`, JSON, per-document errors and empty documents.
import { expect } from 'chai';
import { parseManifests } from '../../../../src/sources/manifests/read-manifests.js';

const service = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n    - port: 80\n`;

const names = (set: ReturnType<typeof parseManifests>): string[] => set.objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('parseManifests', () => {
  it('reads every document of a multi-document file, in order', () => {
    const set = parseManifests(`${service('a')}---\n${service('b')}---\n${service('c')}`, 'x.yaml');
    expect(names(set)).to.deep.equal(['Service/a', 'Service/b', 'Service/c']);
    expect(set.problems).to.deep.equal([]);
    expect(set.diagnostics).to.deep.equal([]);
  });

  it('expands a kind: List, including a nested one', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - {apiVersion: v1, kind: Service, metadata: {name: a}}',
      '  - apiVersion: v1',
      '    kind: List',
      '    items:',
      '      - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}',
    ].join('\n');
    expect(names(parseManifests(text, 'list.yaml'))).to.deep.equal(['Service/a', 'ConfigMap/b']);
  });

  it('treats a List without items as empty', () => {
    expect(parseManifests('kind: List\n', 'x.yaml').objects).to.deep.equal([]);
  });

  it('reads JSON', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ops' }, data: { a: 'b' } });
    const set = parseManifests(json, 'x.json');
    expect(set.objects).to.have.length(1);
    expect(set.objects[0]).to.deep.include({ kind: 'ConfigMap', data: { a: 'b' } });
    expect(set.objects[0]?.metadata.namespace).to.equal('ops');
  });

  it('reports a YAML syntax error in one document as a problem and keeps the other documents', () => {
    const broken = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n';
    const set = parseManifests(`${service('a')}---\n${broken}---\n${service('c')}`, 'mixed.yaml');
    expect(names(set)).to.deep.equal(['Service/a', 'Service/c']);
    expect(set.problems).to.have.length(1);
    expect(set.problems[0]?.file).to.equal('mixed.yaml');
    expect(set.problems[0]?.message).to.match(/^document 2: /);
  });

  it('reports a duplicate key as a problem of its document', () => {
    const set = parseManifests(`${service('a')}---\nkind: Service\nkind: ConfigMap\n`, 'dup.yaml');
    expect(names(set)).to.deep.equal(['Service/a']);
    expect(set.problems.map((p) => p.message)).to.satisfy((messages: string[]) => messages.length === 1 && messages[0]?.startsWith('document 2: '));
  });

  it('ignores empty documents and comment-only documents', () => {
    const set = parseManifests(`---\n---\n# only a comment\n---\n${service('a')}---\n`, 'x.yaml');
    expect(names(set)).to.deep.equal(['Service/a']);
    expect(set.problems).to.deep.equal([]);
  });

  it('returns nothing for an empty file', () => {
    expect(parseManifests('', 'empty.yaml')).to.deep.equal({ objects: [], diagnostics: [], problems: [] });
  });

  it('skips kinds it does not read without a diagnostic', () => {
    const set = parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\njust a string\n', 'x.yaml');
    expect(set).to.deep.equal({ objects: [], diagnostics: [], problems: [] });
  });

  it('turns a malformed object into an INVALID_OBJECT error naming the file and the reason', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec: {rules: nope}\n';
    const set = parseManifests(`${text}---\n${service('a')}`, 'bad.yaml');
    expect(names(set)).to.deep.equal(['Service/a']);
    expect(set.diagnostics).to.deep.equal([
      {
        severity: 'error',
        code: 'INVALID_OBJECT',
        object: { kind: 'Ingress', namespace: 'shop', name: 'web' },
        field: '',
        message: 'rejected (bad.yaml): spec.rules must be a list',
      },
    ]);
  });

  it('resolves a modest number of YAML aliases', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: &l {app: web}, annotations: *l}\n';
    expect(parseManifests(text, 'x.yaml').objects[0]?.metadata.annotations).to.deep.equal({ app: 'web' });
  });

  it('reports an alias bomb as a problem of its document and keeps the other documents', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    let set: ReturnType<typeof parseManifests> | undefined;
    expect(() => (set = parseManifests(`${service('a')}---\n${bomb}\n---\n${service('c')}`, 'bomb.yaml'))).not.to.throw();
    expect(names(set ?? { objects: [], diagnostics: [], problems: [] })).to.deep.equal(['Service/a', 'Service/c']);
    expect(set?.problems).to.have.length(1);
  });

  it('reports a malformed namespace as INVALID_OBJECT and keeps the other documents', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: 123}\n';
    let set: ReturnType<typeof parseManifests> | undefined;
    expect(() => (set = parseManifests(`${service('a')}---\n${text}`, 'ns.yaml'))).not.to.throw();
    expect(names(set ?? { objects: [], diagnostics: [], problems: [] })).to.deep.equal(['Service/a']);
    expect(set?.diagnostics.map((d) => d.code)).to.deep.equal(['INVALID_OBJECT']);
  });
});

import { expect } from 'chai';
import { LIMITS, ingressLimitProblems } from '../../../src/build/limits.js';
import { validateIngress } from '../../../src/build/validate-ingress.js';
import { ingress } from '../../support/objects.js';

describe('limits', () => {
  const paths = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `/p${i}`, service: 'web' }));

  it('accepts an Ingress at every limit', () => {
    const atLimit = ingress('big', {
      annotations: { 'a/b': 'x'.repeat(LIMITS.maxAnnotationValueBytes) },
      rules: [{ host: 'big.test', paths: paths(LIMITS.maxPathsPerIngress) }],
    });
    expect(ingressLimitProblems(atLimit)).to.deep.equal([]);
    expect(validateIngress(atLimit)).to.deep.equal([]);
  });

  it('rejects an Ingress over a limit, naming the limit, the size found and the field', () => {
    const over = ingress('big', { rules: [{ host: 'big.test', paths: paths(LIMITS.maxPathsPerIngress + 1) }] });
    const problems = validateIngress(over);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include({ code: 'OBJECT_TOO_LARGE', field: 'spec.rules', severity: 'error' });
    expect(problems[0]?.message).to.equal(`rejected: the number of paths is ${LIMITS.maxPathsPerIngress + 1}, over the limit of ${LIMITS.maxPathsPerIngress}`);
    expect(problems[0]?.object).to.deep.equal({ kind: 'Ingress', namespace: 'default', name: 'big' });
  });

  it('counts annotation values in UTF-8 bytes, and all annotations together', () => {
    const value = 'é'.repeat(LIMITS.maxAnnotationValueBytes / 2 + 1);
    expect(ingressLimitProblems(ingress('a', { annotations: { 'k\n"': value } })).map((p) => p.field)).to.deep.equal(['metadata.annotations["k\\n\\""]']);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(LIMITS.maxAnnotationValueBytes)]));
    expect(ingressLimitProblems(ingress('a', { annotations: many })).map((p) => p.field)).to.deep.equal(['metadata.annotations']);
  });

  it('bounds rules, TLS entries and hosts per TLS entry', () => {
    const rules = Array.from({ length: LIMITS.maxRulesPerIngress + 1 }, (_, i) => ({ host: `h${i}.test`, paths: paths(1) }));
    expect(ingressLimitProblems(ingress('a', { rules })).map((p) => p.field)).to.deep.equal(['spec.rules']);
    const tls = Array.from({ length: LIMITS.maxTlsEntriesPerIngress + 1 }, () => ({ hosts: ['a.test'], secretName: 's' }));
    expect(ingressLimitProblems(ingress('a', { tls })).map((p) => p.field)).to.deep.equal(['spec.tls']);
    const hosts = Array.from({ length: LIMITS.maxHostsPerTlsEntry + 1 }, (_, i) => `h${i}.test`);
    expect(ingressLimitProblems(ingress('a', { tls: [{ hosts, secretName: 's' }] })).map((p) => p.field)).to.deep.equal(['spec.tls[0].hosts']);
  });
});

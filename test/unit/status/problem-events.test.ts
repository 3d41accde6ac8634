// Problem Events: one per distinct Ingress error, recorded by the leader only, again only after it went away.
import { expect } from 'chai';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import { ingressProblems, ProblemEventRecorder, type IngressProblem } from '../../../src/status/problem-events.js';

const diagnostic = (name: string, code: Diagnostic['code'], severity: Diagnostic['severity'] = 'error', kind: 'Ingress' | 'ConfigMap' = 'Ingress'): Diagnostic => ({
  severity,
  code,
  object: { kind, namespace: 'default', name },
  field: 'spec',
  message: `${code} in ${name}`,
});

describe('ingressProblems', () => {
  it('keeps error diagnostics about Ingresses: Rejected for a rejected Ingress, Invalid otherwise', () => {
    const problems = ingressProblems(
      [
        diagnostic('bad', 'INVALID_PATH'),
        diagnostic('web', 'SERVICE_NOT_FOUND'),
        diagnostic('web', 'NO_READY_ENDPOINTS', 'warning'),
        diagnostic('portico', 'INVALID_SETTING', 'error', 'ConfigMap'),
      ],
      new Set(['default/bad']),
    );
    expect([...problems.values()]).to.deep.equal([
      { ingress: { kind: 'Ingress', namespace: 'default', name: 'bad' }, reason: 'Rejected', line: 'error INVALID_PATH Ingress default/bad spec: INVALID_PATH in bad' },
      { ingress: { kind: 'Ingress', namespace: 'default', name: 'web' }, reason: 'Invalid', line: 'error SERVICE_NOT_FOUND Ingress default/web spec: SERVICE_NOT_FOUND in web' },
    ]);
  });
});

describe('ProblemEventRecorder', () => {
  let recorded: string[];
  let isLeader: boolean;
  let failNext: boolean;
  let recorder: ProblemEventRecorder;
  const rejected = new Set<string>();

  beforeEach(() => {
    recorded = [];
    isLeader = true;
    failNext = false;
    recorder = new ProblemEventRecorder({
      record: async (problem: IngressProblem) => {
        if (failNext) {
          failNext = false;
          throw new Error('API down');
        }
        recorded.push(problem.ingress.name);
      },
      isLeader: () => isLeader,
      onError: () => undefined,
    });
  });

  it('records a problem once, not at every rebuild, and again when it comes back', async () => {
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND')], rejected);
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND'), diagnostic('b', 'SERVICE_NOT_FOUND')], rejected);
    await recorder.observe([diagnostic('b', 'SERVICE_NOT_FOUND')], rejected);
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND'), diagnostic('b', 'SERVICE_NOT_FOUND')], rejected);
    expect(recorded).to.deep.equal(['a', 'b', 'a']);
  });

  it('records nothing as a follower, and does not repeat on becoming leader what it already knew', async () => {
    isLeader = false;
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND')], rejected);
    isLeader = true;
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND'), diagnostic('b', 'SERVICE_NOT_FOUND')], rejected);
    expect(recorded).to.deep.equal(['b']);
  });

  it('tries a failed Event again at the next outcome', async () => {
    failNext = true;
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND')], rejected);
    await recorder.observe([diagnostic('a', 'SERVICE_NOT_FOUND')], rejected);
    expect(recorded).to.deep.equal(['a']);
  });
});

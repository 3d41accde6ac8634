// Kubernetes Events for Ingress problems: one Warning per distinct error diagnostic, when it appears, not at
// every rebuild; again only if it goes away and comes back. The leader records them; every replica keeps track
// of what is known, so a replica that takes over does not repeat what the previous leader already reported.
import { formatDiagnostic, type Diagnostic } from '../model/diagnostic.js';
import { keyOf, type ObjectRef } from '../model/kube.js';

/** `Rejected`: the Ingress is not served at all; `Invalid`: it is served, but part of it is wrong. */
export type ProblemReason = 'Rejected' | 'Invalid';

export interface IngressProblem {
  readonly ingress: ObjectRef;
  readonly reason: ProblemReason;
  /** The diagnostic line (formatDiagnostic): the Event's message, and what makes two problems the same. */
  readonly line: string;
}

/** The error diagnostics about Ingresses, by line. `rejected` holds `namespace/name` of rejected Ingresses. */
export function ingressProblems(diagnostics: readonly Diagnostic[], rejected: ReadonlySet<string>): Map<string, IngressProblem> {
  const problems = new Map<string, IngressProblem>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.severity !== 'error' || diagnostic.object.kind !== 'Ingress') continue;
    const line = formatDiagnostic(diagnostic);
    problems.set(line, { ingress: diagnostic.object, reason: rejected.has(keyOf(diagnostic.object)) ? 'Rejected' : 'Invalid', line });
  }
  return problems;
}

/** The problems not reported yet, in diagnostic order. */
export function newProblems(current: ReadonlyMap<string, IngressProblem>, reported: ReadonlySet<string>): IngressProblem[] {
  return [...current.values()].filter((problem) => !reported.has(problem.line));
}

export interface ProblemEventRecorderOptions {
  /** Creates the Event. */
  readonly record: (problem: IngressProblem) => Promise<void>;
  readonly isLeader: () => boolean;
  readonly onError: (error: unknown, problem: IngressProblem) => void;
}

export class ProblemEventRecorder {
  readonly #options: ProblemEventRecorderOptions;
  #reported: ReadonlySet<string> = new Set();
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ProblemEventRecorderOptions) {
    this.#options = options;
  }

  /** Takes the diagnostics of an outcome; records an Event for each new problem when leading. One call at a time. */
  observe(diagnostics: readonly Diagnostic[], rejected: ReadonlySet<string>): Promise<void> {
    const run = this.#queue.then(() => this.#observe(ingressProblems(diagnostics, rejected)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no call is in progress. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #observe(current: ReadonlyMap<string, IngressProblem>): Promise<void> {
    const failed = new Set<string>();
    if (this.#options.isLeader()) {
      for (const problem of newProblems(current, this.#reported)) {
        try {
          await this.#options.record(problem);
        } catch (error) {
          // Not counted as reported: the next outcome tries again.
          failed.add(problem.line);
          this.#options.onError(error, problem);
        }
      }
    }
    this.#reported = new Set([...current.keys()].filter((line) => !failed.has(line)));
  }
}

// Reads the manifests named by -f into a snapshot, keeping file and object problems for the report.
import { formatDiagnostic, type Diagnostic } from '../model/diagnostic.js';
import { snapshotOf, type Snapshot } from '../model/snapshot.js';
import { readManifests, type FileProblem } from '../sources/manifests/read-manifests.js';

export interface LoadedInput {
  readonly snapshot: Snapshot;
  readonly diagnostics: readonly Diagnostic[];
  readonly problems: readonly FileProblem[];
}

export async function loadInput(paths: readonly string[]): Promise<LoadedInput> {
  const manifests = await readManifests(paths);
  return { snapshot: snapshotOf(manifests.objects), diagnostics: manifests.diagnostics, problems: manifests.problems };
}

export function formatProblem(problem: FileProblem): string {
  return `error INVALID_FILE ${problem.file}: ${problem.message}`;
}

/** Every finding as text lines: file problems first, then diagnostics. */
export function reportLines(problems: readonly FileProblem[], diagnostics: readonly Diagnostic[]): string[] {
  return [...problems.map(formatProblem), ...diagnostics.map(formatDiagnostic)];
}

export function hasErrors(problems: readonly FileProblem[], diagnostics: readonly Diagnostic[]): boolean {
  return problems.length > 0 || diagnostics.some((d) => d.severity === 'error');
}

// Polls a condition until it holds or a deadline passes: for tests that wait on a real process or watcher.

/**
 * Resolves once `condition` returns true; a condition that throws counts as not yet. Rejects after
 * `timeoutMs` with "condition not met in time".
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let holds = false;
    try {
      holds = await condition();
    } catch {
      holds = false;
    }
    if (holds) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Which worker processes an nginx master has, read from /proc: a reload is live once a new generation of
// workers runs (the master starts them only after it has parsed and accepted the new config).
import { readdir, readFile } from 'node:fs/promises';

export interface WorkerProcess {
  readonly pid: number;
  /** False for workers of an older generation that are draining their connections. */
  readonly isCurrent: boolean;
}

export async function workersOf(masterPid: number): Promise<WorkerProcess[]> {
  const workers: WorkerProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (after the parenthesised command, which may hold spaces) is the parent pid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== masterPid) continue;
      const title = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
      if (title.startsWith('nginx: worker process')) workers.push({ pid: Number(entry), isCurrent: !title.includes('is shutting down') });
    } catch {
      // The process ended while we looked.
    }
  }
  return workers;
}

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
  for (const pid of await childrenOf(masterPid)) {
    try {
      const title = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
      if (title.startsWith('nginx: worker process')) workers.push({ pid, isCurrent: !title.includes('is shutting down') });
    } catch {
      // The process ended while we looked.
    }
  }
  return workers;
}

/** The master's children: its /proc children list when the kernel has one, else a scan of /proc (slower). */
async function childrenOf(masterPid: number): Promise<number[]> {
  const listed = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').catch(() => undefined);
  if (listed !== undefined) return listed.split(' ').filter((pid) => pid !== '').map(Number);
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesised command, which may hold spaces) is the parent pid.
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === masterPid) children.push(Number(entry));
  }
  return children;
}

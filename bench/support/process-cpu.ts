import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks per second, the unit of /proc/<pid>/stat's times (sysconf(_SC_CLK_TCK)). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU seconds (user + system) used so far by a process and its children on Linux: for a postmaster,
 * its backends, autovacuum and WAL writer as well. Children that exited and were reaped count through
 * the parent's cutime/cstime (proc(5)). Elsewhere, NaN.
 */
export function processTreeCpuSeconds(rootPid: number): number {
  let ticks = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(entry);
      if (!fields) continue;
      // After "pid (comm) ": state, ppid, …; utime, stime, cutime, cstime are fields 14–17 of proc(5).
      const [ppid, utime, stime, cutime, cstime] = [fields[1], fields[11], fields[12], fields[13], fields[14]].map(Number);
      if (Number(entry) === rootPid) ticks += (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0);
      else if (ppid === rootPid) ticks += (utime ?? 0) + (stime ?? 0);
    }
  } catch {
    return Number.NaN;
  }
  return ticks / TICKS;
}

function statFields(pid: string): string[] | null {
  try {
    const stat = readFileSync(path.join('/proc', pid, 'stat'), 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    // A process that ended between the listing and the read.
    return null;
  }
}

/** The postmaster's pid, the first line of postmaster.pid in its data directory. */
export function postmasterPid(pgdata: string): number {
  return Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { commandLine, isAlive, readPidFile, terminate } from './processes.js';

// The embedded cluster's directory: who may reach it, who uses it, what a killed gateway left in it.

export async function prepareDirectories(dataDir: string, root: string, log: Logger): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o755 });
  if (process.getuid?.() !== 0) return;
  // As root the server runs as the `postgres` user, who must be able to walk down to the cluster:
  // a project under /root (mode 700) would otherwise fail with "permission denied" from initdb.
  await chmod(root, 0o755);
  for (let dir = path.resolve(dataDir); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      await chmod(dir, mode | 0o001);
      log.warn({ dir }, 'made a directory traversable (o+x) so that the postgres user can reach its data');
    }
    if (path.dirname(dir) === dir) break;
  }
}

export async function stopStalePostmaster(pgdata: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  const pid = await readPidFile(pidFile);
  if (pid === undefined) return;
  const cmd = (await isAlive(pid)) ? await commandLine(pid) : undefined;
  if (cmd !== undefined && cmd.includes('postgres') && cmd.includes(pgdata)) {
    log.warn({ pid }, 'stopping a Postgres left running by a previous gateway');
    // SIGINT is Postgres's fast shutdown; SIGQUIT its immediate one (crash recovery on next start).
    await terminate(pid, ['SIGINT', 'SIGQUIT'], 10_000);
  }
  // A pid that is dead, or reused by another program, would make the postmaster refuse to start.
  await rm(pidFile, { force: true });
}

import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger, type Logger } from '../../src/log.js';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { commandLine, isAlive, readPidFile, terminate } from '../../src/runtime/processes.js';
import { startRedisServer } from '../../src/runtime/redis.js';
import { ensureCommand } from '../../src/runtime/install.js';
import { startDovecot } from './dovecot.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL (database `postgres`) of the shared server; see createTestDatabase(). */
    databaseUrl: string;
    /** `redis://127.0.0.1:<port>`; give each test its own key prefix (uniquePrefix()). */
    redisUrl: string;
    /** The shared Dovecot; users IMAP_USERS with password IMAP_PASSWORD, or createUser(). */
    imap: { host: string; port: number; mailRoot: string };
    /** Debian's Chromium, which the console's browser tests drive (tests/support/browser.ts). */
    chromiumPath: string;
  }
}

// Every run gets `run-<vitest pid>-XXXXXX` here, so a later run can find what a killed one left.
const BASE = path.join(os.tmpdir(), 'helpdesk-tests');

const CHROMIUM_HINT =
  'Install it (Debian/Ubuntu: apt-get install chromium) to run the console tests; Playwright drives that browser, it downloads none.';

/** Starts embedded Postgres, redis-server and Dovecot once for the integration tests, and finds Chromium. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  await mkdir(BASE, { recursive: true });
  // Postgres runs as `postgres`, Dovecot's imap as `nobody`: both must traverse these directories.
  await chmod(BASE, 0o755);
  await reapKilledRuns(log);
  const dir = await mkdtemp(path.join(BASE, `run-${process.pid}-`));
  await chmod(dir, 0o755);

  const started = await Promise.allSettled([
    startEmbeddedPostgres({ dataDir: dir, log }),
    startRedisServer({ dataDir: dir, log, appendOnly: 'no' }),
    startDovecot(path.join(dir, 'dovecot'), { log }),
  ]);
  const stops = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop] : []));
  const teardown = async (): Promise<void> => {
    await Promise.all(stops.map((stop) => stop().catch((err: unknown) => log.error({ err }, 'stopping a test server failed'))));
    await rm(dir, { recursive: true, force: true });
  };
  const [postgres, redis, dovecot] = started;
  if (postgres?.status !== 'fulfilled' || redis?.status !== 'fulfilled' || dovecot?.status !== 'fulfilled') {
    await teardown();
    const reasons = started.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error).message ?? s.reason)] : []));
    throw new Error(`integration test servers did not start: ${reasons.join('; ')}`);
  }

  // After Dovecot, never beside it: two apt-get runs at once would fight over dpkg's lock.
  const chromium = await ensureCommand('chromium', 'chromium', log, CHROMIUM_HINT).catch(async (err: unknown) => {
    await teardown();
    throw err;
  });

  project.provide('chromiumPath', chromium);
  project.provide('databaseUrl', postgres.value.adminUrl);
  project.provide('redisUrl', redis.value.url);
  project.provide('imap', { host: dovecot.value.host, port: dovecot.value.port, mailRoot: dovecot.value.mailRoot });
  return teardown;
}

/** Stops the servers of runs whose vitest was killed before its teardown, and removes their files. */
async function reapKilledRuns(log: Logger): Promise<void> {
  for (const entry of await readdir(BASE).catch(() => [])) {
    const owner = Number(/^run-(\d+)-/.exec(entry)?.[1]);
    if (!Number.isInteger(owner) || owner === process.pid || (await isAlive(owner))) continue;
    const dir = path.join(BASE, entry);
    const pidFiles = { postgres: 'postgres/data/postmaster.pid', 'redis-server': 'redis/redis.pid', dovecot: 'dovecot/run/master.pid' };
    for (const [program, file] of Object.entries(pidFiles)) {
      const pid = await readPidFile(path.join(dir, file));
      // The pid may since have gone to an unrelated process: signal only the program we started.
      if (pid === undefined || !(await isAlive(pid)) || !((await commandLine(pid)) ?? '').includes(program)) continue;
      await terminate(pid, ['SIGTERM'], 5_000).catch(() => undefined);
    }
    log.warn({ dir }, 'removed the servers of a killed test run');
    await rm(dir, { recursive: true, force: true });
  }
}

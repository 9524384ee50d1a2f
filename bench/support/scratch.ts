import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../src/log.js';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { startRedisServer } from '../../src/runtime/redis.js';

export interface Scratch {
  /** A temp dir of the scenario's own (mode 755: Postgres runs as another user). */
  dir: string;
  log: Logger;
  /** Run in reverse order when the scenario ends, however it ends. */
  stops: Array<() => Promise<void>>;
}

/** Runs a bench scenario in a temp dir, then stops what it started and removes the dir. */
export async function withScratch<T>(name: string, work: (scratch: Scratch) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `helpdesk-bench-${name}-`));
  await chmod(dir, 0o755);
  const stops: Scratch['stops'] = [];
  try {
    return await work({ dir, log: silentLogger(), stops });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** An embedded Postgres and a redis-server (no append-only file: speed, not durability, here). */
export async function startPostgresAndRedis({ dir, log, stops }: Scratch) {
  const [pg, redis] = await Promise.all([
    startEmbeddedPostgres({ dataDir: dir, log }),
    startRedisServer({ dataDir: dir, log, appendOnly: 'no' }),
  ]);
  stops.push(pg.stop, redis.stop);
  return { pg, redisServer: redis };
}

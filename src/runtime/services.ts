import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { startEmbeddedPostgres } from './postgres.js';
import { startRedisServer } from './redis.js';

export interface Backing {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * The database and Redis the gateway runs on: the ones the environment names, or embedded ones
 * under the data directory, started (and stopped on exit) by this process.
 */
export async function startBackingServices(config: Config, log: Logger): Promise<Backing> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.error({ err }, 'stopping a service failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log.info({ dir: config.dataDir }, 'DATABASE_URL unset: starting the embedded PostgreSQL');
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      log.info({ dir: config.dataDir }, 'REDIS_URL unset: starting a redis-server child');
      const redis = await startRedisServer({ dataDir: config.dataDir, log });
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    return { databaseUrl, redisUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { runningEmbeddedPostgres, startEmbeddedPostgres } from './postgres.js';
import { runningRedisServer, startRedisServer } from './redis.js';

export interface Backing {
  databaseUrl: string;
  /** Undefined when Redis was not asked for. */
  redisUrl: string | undefined;
  stop(): Promise<void>;
}

export interface BackingOptions {
  /**
   * `run`: the gateway, which starts the embedded servers, restarts them, and refuses a data dir a
   * live gateway runs. `join`: a CLI command (migrate, seed, doctor), which uses the embedded
   * servers of a running gateway when there is one, and starts them for itself otherwise.
   */
  mode: 'run' | 'join';
  redis: 'needed' | 'unneeded';
  /** A started server died and could not be restarted: the gateway must exit for its supervisor. */
  onGiveUp?: (err: Error) => void;
}

export interface Service {
  url: string;
  /** Where the URL comes from, for `helpdesk doctor`. */
  origin: string;
  stop(): Promise<void>;
}

type BackingConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'redisUrl'>;
const nothing = async (): Promise<void> => undefined;

/**
 * The database and Redis the gateway runs on: the ones the environment names, or embedded ones
 * under the data directory, started (and stopped on exit) by this process.
 */
export async function startBackingServices(config: BackingConfig, log: Logger, options: BackingOptions): Promise<Backing> {
  const database = await databaseService(config, log, options);
  try {
    const redis = options.redis === 'needed' ? await redisService(config, log, options) : undefined;
    return {
      databaseUrl: database.url,
      redisUrl: redis?.url,
      stop: async () => {
        for (const s of [redis, database]) await s?.stop().catch((err: unknown) => log.error({ err }, 'stopping a service failed'));
      },
    };
  } catch (err) {
    await database.stop();
    throw err;
  }
}

export async function databaseService(config: BackingConfig, log: Logger, options: Omit<BackingOptions, 'redis'>): Promise<Service> {
  if (config.databaseUrl) return { url: config.databaseUrl, origin: 'DATABASE_URL', stop: nothing };
  if (options.mode === 'join') {
    const running = await runningEmbeddedPostgres(config.dataDir);
    if (running) {
      log.info({ dir: config.dataDir, gateway: running.owner }, 'using the embedded PostgreSQL of the running gateway');
      return { url: running.url, origin: `embedded, run by process ${running.owner}`, stop: nothing };
    }
  }
  log.info({ dir: config.dataDir }, 'DATABASE_URL unset: starting the embedded PostgreSQL');
  const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, log, ...(options.onGiveUp ? { onGiveUp: options.onGiveUp } : {}) });
  return { url: pg.url, origin: `embedded, under ${config.dataDir}`, stop: pg.stop };
}

export async function redisService(config: BackingConfig, log: Logger, options: Omit<BackingOptions, 'redis'>): Promise<Service> {
  if (config.redisUrl) return { url: config.redisUrl, origin: 'REDIS_URL', stop: nothing };
  if (options.mode === 'join') {
    const running = await runningRedisServer(config.dataDir);
    if (running) {
      log.info({ dir: config.dataDir, gateway: running.owner }, 'using the redis-server of the running gateway');
      return { url: running.url, origin: `embedded, run by process ${running.owner}`, stop: nothing };
    }
  }
  log.info({ dir: config.dataDir }, 'REDIS_URL unset: starting a redis-server child');
  const redis = await startRedisServer({ dataDir: config.dataDir, log, ...(options.onGiveUp ? { onGiveUp: options.onGiveUp } : {}) });
  return { url: redis.url, origin: `embedded, under ${config.dataDir}`, stop: redis.stop };
}

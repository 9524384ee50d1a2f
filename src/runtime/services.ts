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

/** A server the environment may name by URL, or the gateway runs embedded under its data dir. */
interface ServiceKind {
  variable: 'DATABASE_URL' | 'REDIS_URL';
  /** For the log: "the embedded PostgreSQL". */
  name: string;
  running(dataDir: string): Promise<{ url: string; owner: number } | undefined>;
  start(opts: { dataDir: string; log: Logger; onGiveUp?: (err: Error) => void }): Promise<{ url: string; stop(): Promise<void> }>;
}

const POSTGRES: ServiceKind = {
  variable: 'DATABASE_URL',
  name: 'the embedded PostgreSQL',
  running: runningEmbeddedPostgres,
  start: startEmbeddedPostgres,
};
const REDIS: ServiceKind = {
  variable: 'REDIS_URL',
  name: 'the embedded redis-server',
  running: runningRedisServer,
  start: startRedisServer,
};

export function databaseService(config: BackingConfig, log: Logger, options: Omit<BackingOptions, 'redis'>): Promise<Service> {
  return service(POSTGRES, config.databaseUrl, config.dataDir, log, options);
}

export function redisService(config: BackingConfig, log: Logger, options: Omit<BackingOptions, 'redis'>): Promise<Service> {
  return service(REDIS, config.redisUrl, config.dataDir, log, options);
}

async function service(
  kind: ServiceKind,
  url: string | undefined,
  dataDir: string,
  log: Logger,
  options: Omit<BackingOptions, 'redis'>,
): Promise<Service> {
  if (url) return { url, origin: kind.variable, stop: nothing };
  if (options.mode === 'join') {
    const running = await kind.running(dataDir);
    if (running) {
      log.info({ dir: dataDir, gateway: running.owner }, `using ${kind.name} of the running gateway`);
      return { url: running.url, origin: `embedded, run by process ${running.owner}`, stop: nothing };
    }
  }
  log.info({ dir: dataDir }, `${kind.variable} unset: starting ${kind.name}`);
  const started = await kind.start({ dataDir, log, ...(options.onGiveUp ? { onGiveUp: options.onGiveUp } : {}) });
  return { url: started.url, origin: `embedded, under ${dataDir}`, stop: started.stop };
}

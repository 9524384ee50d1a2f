import { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import { inject } from 'vitest';
import type { createApp } from '../../src/app.js';
import { buildWebApp } from '../../src/roles/web.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createServices, type Services } from '../../src/roles/services.js';
import { createSequelize } from '../../src/store/db.js';
import { createStore } from '../../src/store/index.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from './db.js';
import { deleteKeys, uniquePrefix } from './redis.js';

export const COORDINATOR_TOKEN = 'test-coordinator-token-0123456789';

export interface TestDesk {
  config: Config;
  log: Logger;
  services: Services;
  app: ReturnType<typeof createApp>;
  redis: Redis;
  redisUrl: string;
  databaseUrl: string;
  /** The desk's own pool, for a test's raw SQL (a setup the API has no call for, a check of the rows). */
  sequelize: Sequelize;
  close(): Promise<void>;
}

/**
 * A whole desk on a database of its own (migrated, empty) and the shared Redis: the services and
 * the express app, in-process. `env` overrides the contract's environment; the desk is open around
 * the clock unless a test says otherwise, so that business hours do not depend on when CI runs.
 */
export async function createTestDesk(env: Record<string, string> = {}, adminUrl = inject('databaseUrl')): Promise<TestDesk> {
  const db = await createTestDatabase(adminUrl);
  const redisUrl = inject('redisUrl');
  const config = loadConfig({
    HELPDESK_API_TOKEN: COORDINATOR_TOKEN,
    HELPDESK_BUSINESS_HOURS: 'always',
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    ...env,
  });
  const log = silentLogger();
  const sequelize = createSequelize({ url: db.url, poolMax: 5 });
  await migrate(sequelize);
  const services = createServices(config, createStore(sequelize, log), log);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  // Telephony is on when the env sets TWILIO_*; the call memory then takes a Redis prefix of its own.
  const redisPrefix = uniquePrefix();
  const web = buildWebApp({ config, log, services, redis, redisPrefix });
  return {
    config,
    log,
    services,
    app: web.app,
    redis,
    redisUrl,
    databaseUrl: db.url,
    sequelize,
    async close() {
      await web.close();
      if (config.twilio) await deleteKeys(redisUrl, redisPrefix);
      redis.disconnect();
      await sequelize.close();
      await db.drop();
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

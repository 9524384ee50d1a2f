import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log.js';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier } from '../../../src/notify/notifier.js';
import { createServices } from '../../../src/roles/services.js';
import { createSequelize } from '../../../src/store/db.js';
import { createStore } from '../../../src/store/index.js';
import { FAST } from './fast.js';

/**
 * A notification worker in a process of its own, for the crash test to SIGKILL:
 * `node --import tsx worker-child.ts` with the desk's environment and NOTIFY_PREFIX.
 * Prints `ready` once it takes jobs.
 */
const config = loadConfig(process.env);
if (!config.databaseUrl || !config.redisUrl) throw new Error('DATABASE_URL and REDIS_URL are required');
const log = silentLogger();
const sequelize = createSequelize({ url: config.databaseUrl, poolMax: 3 });
const services = createServices(config, createStore(sequelize, log), log);
await startNotifier({
  store: services.store,
  log,
  redisUrl: config.redisUrl,
  prefix: process.env.NOTIFY_PREFIX ?? 'bull',
  channels: channelsFromConfig(config),
  timeZone: config.timezone,
  ...FAST,
});
process.stdout.write('ready\n');

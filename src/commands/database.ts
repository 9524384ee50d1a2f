import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';
import { startBackingServices } from '../runtime/services.js';
import { createSequelize } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { seedDemo } from '../store/seed-demo.js';
import { createStore } from '../store/index.js';

/** `helpdesk migrate`: the migrations `start` applies, on their own. */
export async function migrateCommand(): Promise<void> {
  await withDatabase(async () => undefined);
}

/** `helpdesk seed --demo`. */
export async function seedCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean' } }, strict: true });
  if (!values.demo) throw new Error('seed: only --demo is available');
  await withDatabase(async (store) => {
    const summary = await seedDemo(store);
    process.stdout.write(`${summary}\n`);
  });
}

/**
 * Runs `work` on a migrated database, the embedded one when DATABASE_URL is unset. `log` lets a
 * command whose stdout is data (`simulate --json`) send the log lines elsewhere.
 */
export async function withDatabase(
  work: (store: ReturnType<typeof createStore>, config: Config) => Promise<void>,
  log: Logger = createLogger(),
): Promise<void> {
  const config = loadConfig();
  // Beside a running gateway: its embedded Postgres, not a second one on the same files.
  const backing = await startBackingServices(config, log, { mode: 'join', redis: 'unneeded' });
  const sequelize = createSequelize({ url: backing.databaseUrl });
  try {
    const applied = await migrate(sequelize, log);
    if (applied.length === 0) log.info('database already up to date');
    await work(createStore(sequelize), config);
  } finally {
    await sequelize.close();
    await backing.stop();
  }
}

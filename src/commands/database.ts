import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';
import { startBackingServices } from '../runtime/services.js';
import { seedDemo } from '../store/seed-demo.js';
import type { Store } from '../store/index.js';
import { openDatabase } from '../store/open.js';

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
export async function withDatabase(work: (store: Store, config: Config) => Promise<void>, log: Logger = createLogger()): Promise<void> {
  const config = loadConfig();
  // Beside a running gateway: its embedded Postgres, not a second one on the same files.
  const backing = await startBackingServices(config, log, { mode: 'join', redis: 'unneeded' });
  const { store, migrate } = openDatabase({ url: backing.databaseUrl, log });
  try {
    const applied = await migrate();
    if (applied.length === 0) log.info('database already up to date');
    await work(store, config);
  } finally {
    await store.close();
    await backing.stop();
  }
}

import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './log.js';
import { startGateway } from './main.js';
import { ROLES, type Role } from './roles/types.js';
import { startBackingServices } from './runtime/services.js';
import { createSequelize } from './store/db.js';
import { migrate } from './store/migrate.js';
import { seedDemo } from './store/seed-demo.js';
import { createStore } from './store/index.js';

const USAGE = `usage: helpdesk <command>
  start [--role web,worker,mail]   run the gateway (default: all three roles)
  migrate                          apply database migrations
  seed --demo                      add demo technicians, skills, categories and an outage`;

/** `helpdesk start|migrate|seed`: one line on stderr and exit 1 for any error a person can fix. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'migrate':
        return await withDatabase(async () => undefined);
      case 'seed':
        return await seed(rest);
      default:
        process.stderr.write(`${USAGE}\n`);
        process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 1;
    }
  } catch (err) {
    process.stderr.write(`helpdesk: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  }
}

function parseRoles(args: string[]): Role[] {
  const { values } = parseArgs({ args, options: { role: { type: 'string' } }, strict: true });
  if (!values.role) return [...ROLES];
  const roles = values.role.split(',').map((r) => r.trim());
  const unknown = roles.find((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown) throw new Error(`--role: unknown role "${unknown}" (use ${ROLES.join(', ')})`);
  return roles as Role[];
}

async function start(args: string[]): Promise<void> {
  const roles = parseRoles(args);
  const config = loadConfig();
  const log = createLogger();
  // Handlers first: /ready answers as soon as HTTP listens, while the other roles are still
  // starting, and a SIGTERM then must still stop everything cleanly rather than kill the process.
  let stopping = false;
  const starting = startGateway(config, roles, log, (line) => process.stdout.write(`${line}\n`));
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    starting
      .then((gateway) => gateway.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await starting;
}

/** Runs `work` on a migrated database, the embedded one when DATABASE_URL is unset. */
async function withDatabase(work: (store: ReturnType<typeof createStore>) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const log = createLogger();
  const backing = await startBackingServices({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
  const sequelize = createSequelize({ url: backing.databaseUrl });
  try {
    const applied = await migrate(sequelize, log);
    if (applied.length === 0) log.info('database already up to date');
    await work(createStore(sequelize));
  } finally {
    await sequelize.close();
    await backing.stop();
  }
}

async function seed(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean' } }, strict: true });
  if (!values.demo) throw new Error('seed: only --demo is available');
  await withDatabase(async (store) => {
    const summary = await seedDemo(store);
    process.stdout.write(`${summary}\n`);
  });
}

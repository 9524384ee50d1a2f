import { Redis } from 'ioredis';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { ensureCoordinatorToken } from './api/coordinator-token.js';
import { startBackingServices } from './runtime/services.js';
import { createSequelize } from './store/db.js';
import { migrate } from './store/migrate.js';
import { createServices } from './services.js';
import { startWeb } from './roles/web.js';
import { startWorker } from './roles/worker.js';
import { startMail } from './roles/mail.js';
import type { Role, RoleContext, RoleStopper } from './roles/types.js';

export interface Gateway {
  stop(): Promise<void>;
}

const ROLE_STARTERS: Record<Role, (ctx: RoleContext) => Promise<RoleStopper>> = {
  web: startWeb,
  worker: startWorker,
  mail: startMail,
};

/**
 * The composition root: configuration → backing services → database → services → roles.
 * Returns a stopper that takes everything down in the reverse order.
 */
export async function startGateway(config: Config, roles: Role[], log: Logger, print: (line: string) => void): Promise<Gateway> {
  const backing = await startBackingServices(config, log);
  const stops: RoleStopper[] = [backing.stop];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const sequelize = createSequelize({ url: backing.databaseUrl, log });
    stops.push(() => sequelize.close());
    await migrate(sequelize, log);

    const redis = new Redis(backing.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    stops.push(async () => void redis.disconnect());

    const services = createServices(config, sequelize, log);
    const token = await ensureCoordinatorToken(services.store.tokens, config.apiToken);
    if (token) {
      print(`Coordinator API token (shown once; set HELPDESK_API_TOKEN to choose your own): ${token}`);
    }
    if (!config.twilio) log.warn('telephony is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER');
    if (!config.smtpUrl) log.warn('SMTP_URL unset: email notifications are queued, not sent');

    const ctx: RoleContext = { config, log, services, redisUrl: backing.redisUrl, redis, health: new Map() };
    for (const role of roles) {
      stops.push(await ROLE_STARTERS[role](ctx));
    }
    log.info({ roles }, 'gateway started');
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

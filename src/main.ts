import { Redis } from 'ioredis';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { ensureCoordinatorToken } from './api/coordinator-token.js';
import { startBackingServices } from './runtime/services.js';
import { openDatabase } from './store/open.js';
import { createServices } from './roles/services.js';
import { portTaken, startWeb } from './roles/web.js';
import { canListenEverywhere } from './runtime/ports.js';
import { startWorker } from './roles/worker.js';
import { startMail } from './roles/mail.js';
import type { Role, RoleContext, RoleStopper } from './roles/types.js';

export interface Gateway {
  stop(): Promise<void>;
}

export interface GatewayOptions {
  roles: readonly Role[];
  log: Logger;
  /** Lines for the person at the terminal (the generated token), outside the log. */
  print: (line: string) => void;
  /** Something the gateway started died for good: it must exit non-zero, not sit half-alive. */
  onFatal: (err: Error) => void;
}

const ROLE_STARTERS: Record<Role, (ctx: RoleContext) => Promise<RoleStopper>> = {
  web: startWeb,
  worker: startWorker,
  mail: startMail,
};

// HTTP last: once the port answers, everything behind it has started, and a start that fails
// (a mailbox option, the database) fails before anyone saw /ready answer 200.
const START_ORDER: readonly Role[] = ['worker', 'mail', 'web'];

/**
 * The composition root: configuration → backing services → database → services → roles.
 * Returns a stopper that takes everything down in the reverse order.
 */
export async function startGateway(config: Config, { roles, log, print, onFatal }: GatewayOptions): Promise<Gateway> {
  // startWeb reports a port taken meanwhile just as well; this only saves starting Postgres first.
  if (roles.includes('web') && !(await canListenEverywhere(config.port))) throw portTaken(config.port);
  const backing = await startBackingServices(config, log, { mode: 'run', redis: 'needed', onGiveUp: onFatal });
  const redisUrl = backing.redisUrl;
  if (redisUrl === undefined) throw new Error('no Redis URL');
  const stops: RoleStopper[] = [backing.stop];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const database = openDatabase({ url: backing.databaseUrl, log });
    stops.push(() => database.store.close());
    await database.migrate();

    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    stops.push(async () => void redis.disconnect());

    const services = createServices(config, database.store, log);
    const token = await ensureCoordinatorToken(services.store.tokens, config.apiToken);
    if (token) {
      print(`Coordinator API token (shown once; set HELPDESK_API_TOKEN to choose your own): ${token}`);
    }
    if (!config.twilio) log.warn('telephony is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER');
    if (!config.smtpUrl) log.warn('SMTP_URL unset: email notifications are queued, not sent');

    const ctx: RoleContext = { config, log, services, redisUrl, redis, health: new Map() };
    for (const role of START_ORDER.filter((r) => roles.includes(r))) {
      stops.push(await ROLE_STARTERS[role](ctx));
    }
    log.info({ roles }, 'gateway started');
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

import type { Server } from 'node:http';
import { createApp } from '../app.js';
import { createReadiness } from '../readiness.js';
import { createTwilioRouter } from '../intake/twilio/router.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { HealthProbes } from '../readiness.js';
import type { Services } from '../services.js';
import type { RoleContext, RoleStopper } from './types.js';

export interface WebAppParts {
  config: Config;
  log: Logger;
  services: Services;
  redis: Redis;
  health?: HealthProbes;
  /** Key prefix of the voice menu's call memory in Redis (tests give each desk its own). */
  redisPrefix?: string;
}

/** The express app of the web role: REST API, Twilio webhooks when telephony is on, health. */
export function buildWebApp({ config, log, services, redis, health, redisPrefix }: WebAppParts) {
  const twilio = config.twilio
    ? createTwilioRouter({
        config,
        twilio: config.twilio,
        store: services.store,
        tickets: services.tickets,
        redis,
        log,
        ...(redisPrefix ? { redisPrefix } : {}),
      })
    : undefined;
  return createApp({
    ...(twilio ? { twilio } : {}),
    config,
    log,
    store: services.store,
    tickets: services.tickets,
    metrics: services.metrics,
    readiness: createReadiness(services.store, redis, services.metrics, health),
  });
}

/** The HTTP side: REST API, Twilio webhooks, health, readiness and metrics. */
export async function startWeb(ctx: RoleContext): Promise<RoleStopper> {
  const { config, log, services } = ctx;
  const app = buildWebApp(ctx);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  log.info({ port: config.port, publicUrl: config.publicUrl }, 'HTTP listening');
  // The API's changes enqueue routing jobs; the worker role consumes them.
  const releaseRouting = services.routing.connect(ctx.redisUrl);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }).then(releaseRouting);
}

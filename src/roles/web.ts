import type { Server } from 'node:http';
import { createApp } from '../app.js';
import { createReadiness } from '../readiness.js';
import { createTwilioRouter } from '../intake/twilio/router.js';
import type { RoleContext, RoleStopper } from './types.js';

/** The HTTP side: REST API, Twilio webhooks, health, readiness and metrics. */
export async function startWeb(ctx: RoleContext): Promise<RoleStopper> {
  const { config, log, services, redis, health } = ctx;
  const twilio = config.twilio
    ? createTwilioRouter({ config, twilio: config.twilio, store: services.store, tickets: services.tickets, redis, log })
    : undefined;
  const app = createApp({
    ...(twilio ? { twilio } : {}),
    config,
    log,
    store: services.store,
    tickets: services.tickets,
    metrics: services.metrics,
    readiness: createReadiness(services.store, redis, services.metrics, health),
  });
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

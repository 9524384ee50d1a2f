import { createServer, type Server } from 'node:http';
import { ConfigError } from '../config/index.js';
import { createApp } from '../app.js';
import { createStreamHub } from '../api/stream/hub.js';
import { createReadiness } from './readiness.js';
import { createTwilioRouter } from '../intake/twilio/router.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { HealthProbes } from './readiness.js';
import type { Services } from './services.js';
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

/**
 * The express app of the web role: REST API, live stream, Twilio webhooks when telephony is on,
 * health. Opens nothing yet: the live stream's listening connection opens with its first client, and
 * `close` ends the streams and that connection.
 */
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
  const stream = createStreamHub({ feed: services.store.ticketEventFeed, log, metrics: services.metrics });
  const app = createApp({
    ...(twilio ? { twilio } : {}),
    config,
    log,
    store: services.store,
    tickets: services.tickets,
    metrics: services.metrics,
    readiness: createReadiness(services.store, redis, services.metrics, health),
    stream,
  });
  return { app, close: () => stream.close() };
}

/** The HTTP side: REST API, Twilio webhooks, health, readiness and metrics. */
export async function startWeb(ctx: RoleContext): Promise<RoleStopper> {
  const { config, log, services } = ctx;
  const web = buildWebApp(ctx);
  const server = await listen(createServer(web.app), config.port);
  log.info({ port: config.port, publicUrl: config.publicUrl }, 'HTTP listening');
  // The API's changes enqueue routing jobs; the worker role consumes them.
  const releaseRouting = services.routing.connect(ctx.redisUrl);
  return () =>
    Promise.all([
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
      // The live streams never end by themselves: ended here, their connections close with them.
      web.close(),
    ]).then(releaseRouting);
}

/**
 * Binds the port, or throws naming PORT. Not express's app.listen: Express 5 hands a bind error
 * to the listen callback as an argument, so a callback that ignores it reports a server that
 * never listened as started.
 */
function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') return reject(portTaken(port));
      const reason =
        err.code === 'EACCES'
          ? `port ${port} needs privileges this process lacks: choose a PORT above 1023`
          : `cannot listen on port ${port}: ${err.message}`;
      reject(new ConfigError('PORT', reason));
    };
    server.once('error', onError);
    server.listen(port, () => {
      server.removeListener('error', onError);
      resolve(server);
    });
  });
}

export function portTaken(port: number): ConfigError {
  return new ConfigError('PORT', `port ${port} is already in use: stop what listens there or choose another PORT`);
}

import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { AccessTokens } from '../mail/oauth/token-manager.js';
import { channelsFromConfig } from './channels-from-config.js';
import { startNotifier } from './notifier.js';

/**
 * What the notification worker needs from whoever starts it (the `worker` role, roles/worker.ts):
 * declared here, so that notify does not depend on the roles above it. The roles' context has
 * these fields under these names, and more.
 */
export interface NotifyWorkerContext {
  config: Config;
  log: Logger;
  services: { store: Store; metrics: { registry: Registry }; oauth?: AccessTokens | undefined };
  redisUrl: string;
  /** Where the worker reports its health into /ready. */
  health: { set(name: string, probe: () => Record<string, unknown>): unknown; delete(name: string): unknown };
}

/**
 * The notification worker of the `worker` role: outbox → bull → Twilio and SMTP. A channel that is
 * not configured leaves its rows pending (they go out once it is), with a warning at start.
 */
export async function startNotifyWorker(ctx: NotifyWorkerContext): Promise<() => Promise<void>> {
  const { config, log, services } = ctx;
  const channels = channelsFromConfig(config, services.oauth);
  if (!channels.sms) {
    const waiting = await services.store.deliveries.countPending('sms');
    log.warn({ waiting }, 'telephony is off: SMS notifications stay queued until TWILIO_* is set');
  }
  if (!channels.email) {
    const waiting = await services.store.deliveries.countPending('email');
    log.warn({ waiting }, 'SMTP_URL unset: email notifications stay queued until it is set');
  }
  const sent = notificationCounter(services.metrics.registry);
  const notifier = await startNotifier({
    store: services.store,
    log: log.child({ component: 'notify' }),
    redisUrl: ctx.redisUrl,
    channels,
    timeZone: config.timezone,
    onOutcome: (o) => sent.inc({ outcome: o.outcome }),
  });
  ctx.health.set('notify', () => notifier.health());
  return async () => {
    ctx.health.delete('notify');
    await notifier.stop();
    await channels.email?.transport.close?.();
  };
}

function notificationCounter(registry: Registry): Counter<'outcome'> {
  const name = 'helpdesk_notification_attempts_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name,
    help: 'Notification attempts by outcome (sent, reconciled, retry, failed, superseded, skipped)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
}

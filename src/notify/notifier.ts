import type Bull from 'bull';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { deliver, type Channels, type DeliveryDeps, type DeliveryOutcome } from './deliver.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import type { OutboxChannel } from '../store/outbox-deliveries.js';
import type { OutboxListener } from '../store/outbox-listener.js';
import { createNotifyQueue, enqueueRetry, type NotifyJobData } from './queue.js';

/**
 * The sending side assembled: the outbox poke and scan feeding bull, and bull's processor
 * delivering each row. Everything is an option so that tests and benchmarks can run it with short
 * timers and a queue prefix of their own; startNotifyWorker (worker.ts) picks the production values.
 */

export interface NotifierOptions {
  store: Store;
  log: Logger;
  redisUrl: string;
  /** bull's Redis key prefix; default `bull`. */
  prefix?: string;
  /** The channels that are configured; rows of a missing one stay pending. */
  channels: Channels;
  /** HELPDESK_TIMEZONE. */
  timeZone: string;
  /** Jobs in flight at once in this process. */
  concurrency?: number;
  /** SMS per second from the sender number (bull's limiter). */
  smsPerSecond?: number;
  /**
   * How long a claim lasts without renewal; its holder renews it a few times per lease while it
   * works (lease.ts), so this bounds how late a dead worker's row goes out, not how long a send may take.
   * Keep it above the SMS request timeout (10 s): each send starts with a whole lease.
   */
  leaseMs?: number;
  /** The safety-net scan; the poke (store/outbox-listener.ts) does the fast path. */
  scanIntervalMs?: number;
  backoff?: BackoffPolicy;
  /** Listen for the outbox's notification at commit (default on). */
  listen?: boolean;
  /** Told of every attempt's outcome (metrics, tests). */
  onOutcome?: (outcome: DeliveryOutcome, job: NotifyJobData) => void;
}

export interface Notifier {
  queue: Bull.Queue<NotifyJobData>;
  dispatcher: Dispatcher;
  health(): { ok: true; listening: boolean; channels: OutboxChannel[] };
  /** Stops taking jobs, lets the ones in flight finish, closes the queue's connections. */
  stop(): Promise<void>;
}

const NOTIFIER_DEFAULTS = {
  concurrency: 8,
  smsPerSecond: 1,
  leaseMs: 15_000,
  scanIntervalMs: 5_000,
} as const;

export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const { store, log } = options;
  const channels = (['sms', 'email'] as const).filter((c) => options.channels[c] !== undefined);
  const smsFrom = options.channels.sms?.from;
  const queue = createNotifyQueue({
    redisUrl: options.redisUrl,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    smsPerSecond: options.smsPerSecond ?? NOTIFIER_DEFAULTS.smsPerSecond,
  });
  queue.on('error', (err) => log.warn({ err: err.message }, 'notify queue error'));

  const deps: DeliveryDeps = {
    store,
    log,
    channels: options.channels,
    timeZone: options.timeZone,
    leaseMs: options.leaseMs ?? NOTIFIER_DEFAULTS.leaseMs,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
  };
  void queue.process(options.concurrency ?? NOTIFIER_DEFAULTS.concurrency, async (job: Bull.Job<NotifyJobData>) => {
    const outcome = await deliver(deps, job.data);
    if (outcome.outcome === 'retry') {
      // Redis may be down now; then the scan finds the row when it is due.
      await enqueueRetry(queue, job, outcome.attempt, outcome.delayMs).catch((err: unknown) =>
        log.warn(
          { err: err instanceof Error ? err.message : String(err), outboxId: job.data.outboxId },
          'could not queue a retry; the scan will',
        ),
      );
    }
    options.onOutcome?.(outcome, job.data);
  });

  const dispatcher = createDispatcher({ outbox: store.deliveries, queue, log, channels, smsFrom });
  const listener: OutboxListener | undefined =
    options.listen === false
      ? undefined
      : store.outboxListening.listen(log, {
          onNotify: () => dispatcher.poke(),
          onReconnect: () => dispatcher.sweep(),
        });
  const timer = setInterval(() => dispatcher.sweep(), options.scanIntervalMs ?? NOTIFIER_DEFAULTS.scanIntervalMs);
  timer.unref();
  dispatcher.sweep();

  let stopping: Promise<void> | undefined;
  return {
    queue,
    dispatcher,
    health: () => ({ ok: true, listening: listener?.listening() ?? false, channels }),
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        await listener?.stop();
        await dispatcher.idle();
        await queue.close();
      })()),
  };
}

import Bull from 'bull';
import type { Config } from '../config/index.js';
import { isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RulesBook } from '../rules/rules-book.js';
import type { TicketDeps } from '../tickets/deps.js';
import { drainAll } from './drain.js';
import { createRoutingEngine, DEFAULT_HORIZON_MS, type RoutingEngine } from './engine.js';
import { onTechnicianChanged, onTicketChanged } from './on-change.js';
import {
  DEFAULT_ROUTING_PREFIX,
  JOB_OPTIONS,
  ROUTING_QUEUE,
  type DrainQueueJob,
  type RouteTicketJob,
  type RoutingJobData,
  type RoutingProducer,
} from './producer.js';
import { fireTimer } from './timer-fire.js';
import { TIMER_KINDS, type TimerData, type TimerJob } from '../rules/timer-plan.js';
import { planTimers } from './timer-sync.js';

/**
 * What the routing worker needs from the composition above it (roles hands it its RoleContext,
 * which has these fields and more).
 */
export interface RoutingWorkerContext {
  config: Pick<Config, 'timezone'>;
  log: Logger;
  redisUrl: string;
  services: {
    /** The ticket use cases' dependencies: the store, the policy, the listeners to tell. */
    tickets: TicketDeps;
    rules: RulesBook;
    /** The process's producer: joined for the worker's lifetime; its listener is routing's own. */
    routing: Pick<RoutingProducer, 'connect' | 'ticketChanged'>;
  };
}

export interface RoutingWorkerOptions {
  /** Bull's key prefix; tests give each worker group one of its own. */
  prefix?: string;
  /** `route-ticket` jobs at once in this process; each holds a database connection while it runs. */
  concurrency?: number;
  /** How often the timers are planned again from the database and the queue swept. */
  planEveryMs?: number;
  horizonMs?: number;
  /**
   * Rebuild the timers and sweep the queue before consuming (default true). Only a benchmark that
   * wants to measure the consumers alone on a prepared backlog turns it off.
   */
  sweepAtStart?: boolean;
}

/**
 * The routing worker: consumes `route-ticket` (a ticket changed), `drain-queue` (a technician may
 * take more) and the timer jobs (offer expiry and reminders, SLA warnings and breaches, shift starts)
 * of the `routing` queue. On start it rebuilds every near timer from the database (overdue ones
 * fire at once) and sweeps the waiting queue, then does both again every `planEveryMs`.
 */
export async function startRoutingWorker(ctx: RoutingWorkerContext, options: RoutingWorkerOptions = {}): Promise<() => Promise<void>> {
  const { services, log } = ctx;
  const prefix = options.prefix ?? DEFAULT_ROUTING_PREFIX;
  const planEveryMs = options.planEveryMs ?? 60_000;
  const horizonMs = Math.max(options.horizonMs ?? DEFAULT_HORIZON_MS, 2 * planEveryMs);
  await services.rules.load();

  // A job taken by a worker that was killed is handed out again once its lock lapses: bull's 30 s
  // lock and 30 s stall check left a ticket unrouted for up to a minute after a kill -9; the lock is
  // renewed by its live holder every half lock, so a short one costs a Redis call every 5 s.
  const queue = new Bull<RoutingJobData>(ROUTING_QUEUE, ctx.redisUrl, {
    prefix,
    settings: { lockDuration: 10_000, stalledInterval: 5_000 },
  });
  queue.on('error', (err) => log.warn({ err: err.message }, 'routing queue: redis error'));
  queue.on('failed', (job, err) => log.warn({ job: job.name, attempts: job.attemptsMade, err: err.message }, 'routing job failed'));
  const release = services.routing.connect(ctx.redisUrl, prefix);

  const schedule = async (jobs: readonly TimerJob[]) => {
    const now = Date.now();
    await Promise.all(
      jobs.map((job) => queue.add(job.data.kind, job.data, { ...JOB_OPTIONS, jobId: job.id, delay: Math.max(0, job.at.getTime() - now) })),
    );
  };
  const engine: RoutingEngine = createRoutingEngine({
    deps: services.tickets,
    rules: services.rules,
    timezone: ctx.config.timezone,
    schedule,
    horizonMs,
    selfListener: services.routing.ticketChanged,
  });

  // A refusal of the lifecycle (the ticket moved on meanwhile) is an answer, not a failure to retry.
  const settle = async <T>(work: () => Promise<T>): Promise<T | string> => {
    try {
      return await work();
    } catch (err) {
      if (isAppError(err) && !err.retryable) return `refused: ${err.code}`;
      throw err;
    }
  };

  const sweep = async () => {
    await planTimers(engine);
    const drained = await drainAll(engine);
    for (const { technicianId, after } of drained.unfinished) await queue.add('drain-queue', { technicianId, after }, JOB_OPTIONS);
    return drained;
  };

  const concurrency = options.concurrency ?? 3;
  void queue
    .process('route-ticket', concurrency, (job) => settle(() => onTicketChanged(engine, job.data as RouteTicketJob)))
    .catch((err: unknown) => log.error({ err }, 'routing worker stopped'));
  void queue
    .process('drain-queue', 1, (job) =>
      settle(async () => {
        const data = job.data as DrainQueueJob;
        if (!data.technicianId) return sweep();
        const more = await onTechnicianChanged(engine, data.technicianId, data.after ?? null);
        if (more) await queue.add('drain-queue', { technicianId: data.technicianId, after: more }, JOB_OPTIONS);
        return { more: more !== null };
      }),
    )
    .catch(() => undefined);
  for (const kind of TIMER_KINDS) {
    void queue.process(kind, 1, (job) => settle(() => fireTimer(engine, job.data as TimerData))).catch(() => undefined);
  }

  // Rebuild from the database at once: a lost Redis or a restart loses no deadline. A failed first
  // pass (the database restarting, say) is not fatal: the periodic one does the same work.
  if (options.sweepAtStart ?? true) {
    await sweep().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'first routing sweep failed'));
  }
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'routing sweep failed'))
      .finally(() => {
        running = null;
      });
  }, planEveryMs);
  timer.unref();
  log.info({ prefix, concurrency }, 'routing worker started');

  return async () => {
    clearInterval(timer);
    await running;
    await queue.close();
    await release();
  };
}

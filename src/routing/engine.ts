import type { TicketDeps, TicketListener } from '../tickets/deps.js';
import type { RulesBook } from '../rules/rules-book.js';
import { createShiftClock } from '../rules/shift-clock.js';
import type { TimerJob } from '../rules/timer-plan.js';

/** Everything the routing use cases need, bound once by the worker (or a test, or the bench). */
export interface RoutingEngine {
  deps: TicketDeps;
  rules: RulesBook;
  /** HELPDESK_TIMEZONE: technicians' shifts are read in it. */
  timezone: string;
  /** Whether a technician's shift covers `at`, in the desk's timezone. */
  onShift(shift: string | null, at: Date): boolean;
  /** Timers further out than this are left to the planner's next pass, so Redis holds only the near ones. */
  horizonMs: number;
  /** Hands timers to the scheduler (bull delayed jobs in the worker). */
  schedule(jobs: readonly TimerJob[]): Promise<void>;
  now(): Date;
  /** Routing's own producer among the listeners: not told of routing's own offers and queue entries. */
  selfListener?: TicketListener | undefined;
}

export interface RoutingEngineOptions {
  deps: TicketDeps;
  rules: RulesBook;
  timezone: string;
  schedule?: (jobs: readonly TimerJob[]) => Promise<void>;
  horizonMs?: number;
  selfListener?: TicketListener;
}

export const DEFAULT_HORIZON_MS = 15 * 60_000;

export function createRoutingEngine(options: RoutingEngineOptions): RoutingEngine {
  const horizonMs = options.horizonMs ?? DEFAULT_HORIZON_MS;
  const schedule = options.schedule ?? (async () => undefined);
  return {
    deps: options.deps,
    rules: options.rules,
    timezone: options.timezone,
    onShift: createShiftClock(options.timezone),
    horizonMs,
    // Only what falls within the horizon: the rest is planned again as it comes near.
    async schedule(jobs) {
      const until = Date.now() + horizonMs;
      const near = jobs.filter((j) => j.at.getTime() <= until);
      if (near.length > 0) await schedule(near);
    },
    now: () => options.deps.now?.() ?? new Date(),
    selfListener: options.selfListener,
  };
}

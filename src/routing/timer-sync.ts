import type { TimerTicket } from '../store/timer-repository.js';
import type { RoutingEngine } from './engine.js';
import { readHistory, type RoutingHistory } from '../rules/history.js';
import { slaTargetsFor } from '../rules/rules-book.js';
import { offerTimers, shiftTimer, slaTimers, type TimerJob } from '../rules/timer-plan.js';

/**
 * Timers rebuilt from the database: the tickets' columns and events are the truth, Redis only
 * holds the near future. Used after each change of a ticket, at worker start and periodically.
 */

function timersOf(engine: RoutingEngine, row: TimerTicket, history: RoutingHistory): TimerJob[] {
  const rules = engine.rules.current();
  const jobs: TimerJob[] = [];
  if (row.status === 'assigned' && row.offeredAt) {
    const offeredAt = row.offeredAt;
    jobs.push(
      ...offerTimers(
        { ticketId: row.id, priority: row.priority, offeredAt, remindersSent: history.remindersSent(offeredAt.getTime()) },
        rules.offers,
      ),
    );
  }
  // A ticket about an ongoing outage is handled with the outage: its clocks warn and breach only
  // once the outage is over (then the planner schedules them again), not once per ticket during it.
  if (!row.outageOngoing) jobs.push(...slaTimers(row, rules.calendar, slaTargetsFor(rules, row.type), history.sla));
  return jobs;
}

/** Every pending timer of one ticket, as its row and events say now. */
export async function syncTicketTimers(engine: RoutingEngine, ticketId: string): Promise<TimerJob[]> {
  const { store } = engine.deps;
  const row = await store.timers.ticket(ticketId);
  if (!row) return [];
  const jobs = timersOf(engine, row, readHistory(await store.routing.events(ticketId)));
  await engine.schedule(jobs);
  return jobs;
}

export async function syncTechnicianTimer(engine: RoutingEngine, technicianId: string): Promise<TimerJob | null> {
  const row = await engine.deps.store.timers.technician(technicianId);
  const timer = row ? shiftTimer(row, engine.now(), engine.timezone) : null;
  if (timer) await engine.schedule([timer]);
  return timer;
}

const BATCH = 1000;

/**
 * Rebuilds the timers due within the horizon from the database: waiting offers, running SLA clocks
 * and the shift starts of off-shift technicians. Overdue ones are scheduled with no delay and fire
 * at once. Safe to run from every worker at any time: job ids make a second scheduling a no-op.
 */
export async function planTimers(engine: RoutingEngine): Promise<{ tickets: number; timers: number }> {
  const { store } = engine.deps;
  const rules = await engine.rules.fresh();
  const horizon = new Date(engine.now().getTime() + engine.horizonMs);
  // A clock warns at 75% of its target at the earliest (business time runs no faster than the
  // wall clock); half the shorter target is a safe lower bound that keeps fresh tickets out.
  const half = ({ responseMinutes, resolutionMinutes }: { responseMinutes: number; resolutionMinutes: number }) =>
    0.5 * Math.min(responseMinutes, resolutionMinutes);
  const { P1, P2, P3, P4 } = rules.slaTargets;
  const lead = { P1: half(P1), P2: half(P2), P3: half(P3), P4: half(P4) };
  const rows = await store.timers.dueTickets(horizon, lead);
  let timers = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const byTicket = await store.routing.eventsOf(batch.map((r) => r.id));
    const jobs = batch.flatMap((row) => timersOf(engine, row, readHistory(byTicket.get(row.id) ?? [])));
    await engine.schedule(jobs);
    timers += jobs.filter((j) => j.at <= horizon).length;
  }

  const technicians = await store.timers.shiftWorkers();
  const now = engine.now();
  const shifts = technicians.flatMap((t) => shiftTimer(t, now, engine.timezone) ?? []);
  await engine.schedule(shifts);
  timers += shifts.filter((j) => j.at <= horizon).length;
  return { tickets: rows.length, timers };
}

import { QueryTypes } from 'sequelize';
import type { Priority, TicketStatus } from '../domain/values.js';
import type { RoutingEngine } from './engine.js';
import { readHistory, type RoutingHistory } from '../rules/history.js';
import { ROUTING_EVENT_TYPES } from './routing-queries.js';
import { offerTimers, shiftTimer, slaTimers, type SlaInputTicket, type TimerJob } from '../rules/timer-plan.js';

/**
 * Timers rebuilt from the database: the tickets' columns and events are the truth, Redis only
 * holds the near future. Used after each change of a ticket, at worker start and periodically.
 */

interface TimerTicketRow {
  id: string;
  status: TicketStatus;
  priority: Priority;
  created_at: Date;
  respond_by: Date | null;
  resolve_by: Date | null;
  responded_at: Date | null;
  paused_at: Date | null;
  offered_at: Date | null;
  outage_ongoing: boolean;
}

const COLUMNS = `id, status, priority, created_at, respond_by, resolve_by, responded_at, paused_at, offered_at,
  EXISTS (SELECT 1 FROM outages o WHERE o.id = tickets.outage_id AND (o.until IS NULL OR o.until > now())) AS outage_ongoing`;

const slaInput = (r: TimerTicketRow): SlaInputTicket => ({
  id: r.id,
  status: r.status,
  priority: r.priority,
  createdAt: r.created_at,
  respondBy: r.respond_by,
  resolveBy: r.resolve_by,
  respondedAt: r.responded_at,
  pausedAt: r.paused_at,
});

function timersOf(engine: RoutingEngine, row: TimerTicketRow, history: RoutingHistory): TimerJob[] {
  const rules = engine.rules.current();
  const jobs: TimerJob[] = [];
  if (row.status === 'assigned' && row.offered_at) {
    const offeredAt = row.offered_at;
    jobs.push(
      ...offerTimers(
        { ticketId: row.id, priority: row.priority, offeredAt, remindersSent: history.remindersSent(offeredAt.getTime()) },
        rules.offers,
      ),
    );
  }
  // A ticket about an ongoing outage is handled with the outage: its clocks warn and breach only
  // once the outage is over (then the planner schedules them again), not once per ticket during it.
  if (!row.outage_ongoing) jobs.push(...slaTimers(slaInput(row), rules.calendar, rules.slaTargets, history.sla));
  return jobs;
}

/** Every pending timer of one ticket, as its row and events say now. */
export async function syncTicketTimers(engine: RoutingEngine, ticketId: string): Promise<TimerJob[]> {
  const [row] = await engine.deps.store.sequelize.query<TimerTicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE id = :ticketId`, {
    replacements: { ticketId },
    type: QueryTypes.SELECT,
  });
  if (!row) return [];
  const jobs = timersOf(engine, row, readHistory(await engine.queries.routingEvents(ticketId)));
  await engine.schedule(jobs);
  return jobs;
}

export async function syncTechnicianTimer(engine: RoutingEngine, technicianId: string): Promise<TimerJob | null> {
  const [row] = await engine.deps.store.sequelize.query<{ id: string; shift: string | null; available: boolean }>(
    'SELECT id, shift, available FROM technicians WHERE id = :technicianId AND deleted_at IS NULL',
    { replacements: { technicianId }, type: QueryTypes.SELECT },
  );
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
  const { sequelize } = engine.deps.store;
  const rules = await engine.rules.fresh();
  const horizon = new Date(engine.now().getTime() + engine.horizonMs);
  // A clock warns at 75% of its target at the earliest (business time runs no faster than the
  // wall clock); half the shorter target is a safe lower bound that keeps fresh tickets out.
  const lead = Object.fromEntries(
    Object.entries(rules.slaTargets).map(([p, t]) => [p, 0.5 * Math.min(t.responseMinutes, t.resolutionMinutes)]),
  );
  const rows = await sequelize.query<TimerTicketRow>(
    `SELECT ${COLUMNS} FROM tickets
      WHERE (status = 'assigned' AND offered_at IS NOT NULL)
         OR (status IN ('new', 'assigned', 'in_progress') AND paused_at IS NULL AND (
               (responded_at IS NULL AND respond_by <= :horizon) OR resolve_by <= :horizon
               OR created_at <= CAST(:horizon AS timestamptz) - interval '1 minute' * CAST(CASE priority
                    WHEN 'P1' THEN :p1 WHEN 'P2' THEN :p2 WHEN 'P3' THEN :p3 ELSE :p4 END AS double precision)))`,
    { replacements: { horizon, p1: lead.P1, p2: lead.P2, p3: lead.P3, p4: lead.P4 }, type: QueryTypes.SELECT },
  );
  let timers = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const events = await sequelize.query<{ ticket_id: string; type: string; data: Record<string, unknown> }>(
      `SELECT ticket_id, type, data FROM ticket_events
        WHERE ticket_id IN (:ids) AND type IN (${ROUTING_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})
        ORDER BY id`,
      { replacements: { ids: batch.map((r) => r.id) }, type: QueryTypes.SELECT },
    );
    const byTicket = new Map<string, { type: string; data: Record<string, unknown> }[]>();
    for (const e of events) {
      const list = byTicket.get(e.ticket_id) ?? [];
      list.push(e);
      byTicket.set(e.ticket_id, list);
    }
    const jobs = batch.flatMap((row) => timersOf(engine, row, readHistory(byTicket.get(row.id) ?? [])));
    await engine.schedule(jobs);
    timers += jobs.filter((j) => j.at <= horizon).length;
  }

  const technicians = await sequelize.query<{ id: string; shift: string | null; available: boolean }>(
    'SELECT id, shift, available FROM technicians WHERE deleted_at IS NULL AND available AND shift IS NOT NULL',
    { type: QueryTypes.SELECT },
  );
  const now = engine.now();
  const shifts = technicians.flatMap((t) => shiftTimer(t, now, engine.timezone) ?? []);
  await engine.schedule(shifts);
  timers += shifts.filter((j) => j.at <= horizon).length;
  return { tickets: rows.length, timers };
}

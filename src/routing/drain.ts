import { QueryTypes } from 'sequelize';
import type { Priority, Tier } from '../domain/values.js';
import { jsonb } from '../store/jsonb.js';
import { afterRouting, routeLocked, type Routed } from './assign.js';
import type { RoutingEngine } from './engine.js';
import { onShift } from '../rules/offers.js';
import { RoutingContention } from './routed.js';
import { OPEN_LOAD, textArray } from './routing-queries.js';

/**
 * The waiting queue, worked from a technician's side: when someone may take more (available again,
 * a ticket of theirs closed, their shift began), the waiting tickets they could take are routed in
 * queue order (priority, then age; see byPriorityThenAge). Each ticket is routed as usual, so it may
 * go to a better-placed colleague; the walk stops when this technician is full or nothing is left.
 */

interface TechnicianCapacity {
  id: string;
  tier: Tier;
  skills: string[];
  shift: string | null;
  free: number;
}

/** Where a walk stopped, to continue after it (JSON-safe: it travels in a job's data). */
export interface QueueCursor {
  priority: Priority;
  createdAt: string;
  number: number;
}

export interface DrainResult {
  routed: number;
  offered: number;
  /** Set when the walk stopped at its limit with tickets possibly left: drain again from here. */
  more: QueueCursor | null;
}

async function capacityOf(engine: RoutingEngine, technicianId: string): Promise<TechnicianCapacity | null> {
  const [row] = await engine.deps.store.sequelize.query<TechnicianCapacity>(
    `SELECT tech.id, tech.tier, tech.skills, tech.shift,
            tech.max_load - ${OPEN_LOAD} AS free
       FROM technicians tech WHERE tech.id = :technicianId AND tech.deleted_at IS NULL AND tech.available`,
    { replacements: { technicianId }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

/** The next waiting ticket this technician could take, locked; tickets other workers hold are skipped. */
const NEXT_WAITING = `
  SELECT t.id, t.priority, t.created_at AS "createdAt", t.number
    FROM tickets t
    LEFT JOIN categories c ON c.name = t.category
   WHERE t.status = 'new' AND t.assignee_id IS NULL AND t.tier = :tier
     AND (t.category IS NULL OR coalesce(c.required_skills, ARRAY[t.category]) <@ ${textArray(':skills')})
     AND (t.outage_id IS NULL OR NOT EXISTS (
           SELECT 1 FROM outages o WHERE o.id = t.outage_id AND (o.until IS NULL OR o.until > now())))
     AND (:first OR (t.priority, t.created_at, t.number) > (:priority, CAST(:createdAt AS timestamptz), :number))
   ORDER BY t.priority, t.created_at, t.number
   LIMIT 1
   FOR UPDATE OF t SKIP LOCKED`;

export async function drainFor(
  engine: RoutingEngine,
  technicianId: string,
  options: { limit?: number; after?: QueueCursor | null } = {},
): Promise<DrainResult> {
  const { deps } = engine;
  await engine.rules.fresh();
  const cursor: { at: QueueCursor | null } = { at: options.after ?? null };
  const result: DrainResult = { routed: 0, offered: 0, more: null };
  const limit = options.limit ?? 50;
  for (let i = 0; i < limit; i++) {
    const tech = await capacityOf(engine, technicianId);
    const now = engine.now();
    if (!tech || tech.free <= 0 || !onShift(tech.shift, now, engine.timezone)) return result;
    const from = cursor.at;
    const routed: Routed | null = await deps.store.transaction(async (tx) => {
      const [next] = await deps.store.sequelize.query<{ id: string; priority: Priority; createdAt: Date; number: number }>(NEXT_WAITING, {
        replacements: {
          tier: tech.tier,
          skills: jsonb(tech.skills),
          first: from === null,
          priority: from?.priority ?? 'P1',
          createdAt: from?.createdAt ?? new Date(0).toISOString(),
          number: from?.number ?? 0,
        },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (!next) return null;
      cursor.at = { priority: next.priority, createdAt: new Date(next.createdAt).toISOString(), number: next.number };
      return routeLocked(engine, next.id, now, tx, { commit: 'relaxed' });
    });
    if (!routed) return result;
    await afterRouting(engine, routed);
    result.routed++;
    if (routed.outcome.kind === 'offered') result.offered++;
  }
  result.more = cursor.at;
  return result;
}

/**
 * A sweep over everyone who could take more: after a start (a restart may have missed events) and
 * periodically, as a safety net under the event-driven drains.
 */
export async function drainAll(
  engine: RoutingEngine,
  perTechnician = 50,
): Promise<{ routed: number; offered: number; unfinished: { technicianId: string; after: QueueCursor | null }[] }> {
  const ids = await engine.deps.store.sequelize.query<{ id: string; shift: string | null }>(
    `SELECT tech.id, tech.shift FROM technicians tech
      WHERE tech.deleted_at IS NULL AND tech.available
        AND tech.max_load > ${OPEN_LOAD}
        AND EXISTS (SELECT 1 FROM tickets q WHERE q.status = 'new' AND q.assignee_id IS NULL AND q.tier = tech.tier)
      ORDER BY tech.last_assigned_at NULLS FIRST, tech.id`,
    { type: QueryTypes.SELECT },
  );
  const total = { routed: 0, offered: 0, unfinished: [] as { technicianId: string; after: QueueCursor | null }[] };
  const now = engine.now();
  for (const { id, shift } of ids) {
    if (!onShift(shift, now, engine.timezone)) continue;
    try {
      const r = await drainFor(engine, id, { limit: perTechnician });
      total.routed += r.routed;
      total.offered += r.offered;
      if (r.more) total.unfinished.push({ technicianId: id, after: r.more });
    } catch (err) {
      // Other routers hold the technicians this walk needs (a burst, a restart under load): this
      // technician's walk is done again as a job of its own, instead of the whole sweep given up
      // and what waits left for the next one, a minute later.
      if (!(err instanceof RoutingContention)) throw err;
      total.unfinished.push({ technicianId: id, after: null });
    }
  }
  return total;
}

import type { QueueCursor } from '../store/routing-repository.js';
import { afterRouting, routeLocked } from './assign.js';
import type { RoutingEngine } from './engine.js';
import { onShift } from '../rules/offers.js';
import { RoutingContention, type Routed } from './routed.js';

/**
 * The waiting queue, worked from a technician's side: when someone may take more (available again,
 * a ticket of theirs closed, their shift began), the waiting tickets they could take are routed in
 * queue order (priority, then age; see byPriorityThenAge). Each ticket is routed as usual, so it may
 * go to a better-placed colleague; the walk stops when this technician is full or nothing is left.
 */

export interface DrainResult {
  routed: number;
  offered: number;
  /** Set when the walk stopped at its limit with tickets possibly left: drain again from here. */
  more: QueueCursor | null;
}

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
    const tech = await deps.store.routing.capacity(technicianId);
    const now = engine.now();
    if (!tech || tech.free <= 0 || !onShift(tech.shift, now, engine.timezone)) return result;
    const from = cursor.at;
    const routed: Routed | null = await deps.store.transaction(async (tx) => {
      const next = await tx.routing.lockNextWaiting(tech.tier, tech.skills, from);
      if (!next) return null;
      cursor.at = next.cursor;
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
  const ids = await engine.deps.store.routing.techniciansWithRoom();
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

import { QueryTypes } from 'sequelize';
import { ROUTING_ACTOR } from './assign.js';
import type { RoutingEngine } from './engine.js';
import { tellListeners, writeDecision } from './write-decision.js';

/**
 * A ticket that comes back to `assigned` without a new offer (reopened to its technician, or moved
 * back by status) would carry the date of its first offer, and time out at once. Its technician is
 * offered it again instead: a fresh offer date, a `technician.offer` text, an event saying why.
 */
export async function renewOffer(engine: RoutingEngine, ticketId: string, reason: string): Promise<boolean> {
  const now = engine.now();
  const events = await engine.deps.store.transaction(async (tx) => {
    const state = await engine.deps.store.tickets.lock(ticketId, tx);
    if (!state || state.status !== 'assigned' || !state.assigneeId) return [];
    // Only if nothing offered it since it came back (this job may run late).
    const [last] = await engine.deps.store.sequelize.query<{ type: string }>(
      `SELECT type FROM ticket_events WHERE ticket_id = :ticketId
          AND type IN ('assigned', 'offer_renewed', 'reopened', 'status_changed') ORDER BY id DESC LIMIT 1`,
      { replacements: { ticketId }, type: QueryTypes.SELECT, transaction: tx },
    );
    if (last?.type !== 'reopened' && last?.type !== 'status_changed') return [];
    const written = await writeDecision(
      engine.deps,
      state,
      {
        changes: { offeredAt: now },
        events: [{ type: 'offer_renewed', data: { technicianId: state.assigneeId, reason } }],
        notify: ['technician.offer'],
        technicianId: state.assigneeId,
      },
      ROUTING_ACTOR,
      tx,
    );
    return written.events;
  });
  tellListeners(engine.deps, ticketId, events, engine.selfListener);
  return events.length > 0;
}

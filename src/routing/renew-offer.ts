import { tellListeners, writeChange } from '../tickets/write-change.js';
import type { RoutingEngine } from './engine.js';
import { ROUTING_ACTOR } from './routed.js';

/**
 * A ticket that comes back to `assigned` without a new offer (reopened to its technician, or moved
 * back by status) would carry the date of its first offer, and time out at once. Its technician is
 * offered it again instead: a fresh offer date, a `technician.offer` text, an event saying why.
 */
export async function renewOffer(engine: RoutingEngine, ticketId: string, reason: string): Promise<boolean> {
  const now = engine.now();
  const events = await engine.deps.store.transaction(async (tx) => {
    const state = await tx.tickets.lock(ticketId);
    if (!state || state.status !== 'assigned' || !state.assigneeId) return [];
    // Only if nothing offered it since it came back (this job may run late).
    const last = await tx.routing.lastOfferMove(ticketId);
    if (last !== 'reopened' && last !== 'status_changed') return [];
    const written = await writeChange(
      engine.deps,
      tx,
      state,
      {
        changes: { offeredAt: now },
        events: [{ type: 'offer_renewed', data: { technicianId: state.assigneeId, reason } }],
        notify: ['technician.offer'],
        technicianId: state.assigneeId,
      },
      ROUTING_ACTOR,
    );
    return written.events;
  });
  tellListeners(engine.deps, { ticketId, events }, engine.selfListener);
  return events.length > 0;
}

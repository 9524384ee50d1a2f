import { routeTicket } from './assign.js';
import type { RouteOutcome } from './routed.js';
import type { QueueCursor } from '../store/routing-repository.js';
import { drainFor } from './drain.js';
import type { RoutingEngine } from './engine.js';
import { renewOffer } from './renew-offer.js';
import { syncTechnicianTimer, syncTicketTimers } from './timer-sync.js';

/** Events after which a ticket may need routing, or its timers a new plan. */
export const ROUTE_TRIGGERS: ReadonlySet<string> = new Set([
  'created',
  'declined',
  'offer_expired',
  'escalated',
  'reopened',
  'unassigned',
  'status_changed',
  'resolved',
  'assigned',
  'accepted',
  'updated',
  'sla_breached',
  // The outage it was left to is over (tickets/outages.ts): offer it, start its clocks.
  'outage_ended',
  // A service request approved (tickets/approvals.ts): it waited unrouted until now (#17).
  'approval',
]);

/**
 * Who may have room now, from the events just committed: whoever declined or let the offer lapse,
 * the holder before an escalation or an unassignment, the one a coordinator took it from, and the
 * holder of a ticket resolved or moved by status. A new offer by itself frees nobody.
 */
const RELEASED_BY: Record<string, { type: string; field: string }> = {
  declined: { type: 'declined', field: 'technicianId' },
  offer_expired: { type: 'offer_expired', field: 'technicianId' },
  escalated: { type: 'escalated', field: 'previousAssignee' },
  unassigned: { type: 'unassigned', field: 'previous' },
  assigned: { type: 'assigned', field: 'previous' },
  resolved: { type: 'assigned', field: 'technicianId' },
  status_changed: { type: 'assigned', field: 'technicianId' },
};

async function freedTechnicians(engine: RoutingEngine, ticketId: string, events: readonly string[]): Promise<string[]> {
  const wanted = events.flatMap((e) => RELEASED_BY[e] ?? []);
  if (wanted.length === 0) return [];
  const history = [...(await engine.deps.store.routing.events(ticketId))].reverse();
  const ids = wanted.map(({ type, field }) => history.find((e) => e.type === type)?.data[field]);
  return [...new Set(ids.filter((v): v is string => typeof v === 'string'))];
}

export interface ChangeHandled {
  outcome: RouteOutcome;
  drained: string[];
}

/**
 * A committed change to a ticket, as the listeners report it: route it if it waits, offer what
 * waits to a technician it freed, and bring its timers in line.
 */
export async function onTicketChanged(
  engine: RoutingEngine,
  change: { ticketId: string; events: readonly string[] },
): Promise<ChangeHandled> {
  const reentered = change.events.find((e) => e === 'reopened' || e === 'status_changed');
  if (reentered && !change.events.includes('assigned')) await renewOffer(engine, change.ticketId, reentered);
  const outcome = await routeTicket(engine, change.ticketId);
  const drained = await freedTechnicians(engine, change.ticketId, change.events);
  for (const technicianId of drained) await drainFor(engine, technicianId);
  await syncTicketTimers(engine, change.ticketId);
  return { outcome, drained };
}

/** A technician was created, changed or came on shift: offer them what waits; plan their next shift. */
export async function onTechnicianChanged(
  engine: RoutingEngine,
  technicianId: string,
  after: QueueCursor | null = null,
): Promise<QueueCursor | null> {
  const result = await drainFor(engine, technicianId, { after });
  await syncTechnicianTimer(engine, technicianId);
  return result.more;
}

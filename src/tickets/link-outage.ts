import { actorLabel, type Actor, type Ticket } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import { assertMayWork } from './actions.js';
import { applyChange, ticketIdOrThrow, type Decide } from './apply-change.js';
import type { TicketDeps } from './deps.js';

/**
 * A person links a ticket to an ongoing outage (the contract: "or a person links them"), as routing
 * does for a ticket of the outage's category: the same column and the same `linked_to_outage` event,
 * so that ending the outage tells this requester too, and routing leaves the ticket to the outage.
 */
export async function linkTicketToOutage(deps: TicketDeps, key: string, outageId: string, actor: Actor): Promise<Ticket> {
  const id = await ticketIdOrThrow(deps, key);
  const now = deps.now?.() ?? new Date();
  const outage = (await deps.store.outages.current(now)).find((o) => o.id === outageId);
  if (!outage) throw new AppError('OUTAGE_NOT_FOUND', 'no ongoing outage has this id', { field: 'outageId' });
  return applyChange(deps, id, actorLabel(actor), linkDecision(actor, outage.id));
}

/** The link as a decision: for a person's link, and for the tickets of an outage declared from a suggestion. */
export function linkDecision(actor: Actor, outageId: string): Decide {
  return (ticket) => {
    assertMayWork(actor, ticket);
    if (ticket.status === 'closed')
      throw new AppError('ILLEGAL_TRANSITION', 'a closed ticket cannot be linked to an outage; reopen it first');
    if (ticket.outageId === outageId) return { changes: {}, events: [] };
    return {
      changes: { outageId },
      events: [{ type: 'linked_to_outage', data: { outageId, category: ticket.category, previous: ticket.outageId } }],
    };
  };
}

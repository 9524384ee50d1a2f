import type { TicketState } from '../store/ticket-repository.js';
import { moveDecision } from './actions.js';
import type { Decision } from './write-change.js';

/**
 * A requester's answer on their open ticket, whichever way it came (an email reply threaded on it,
 * a text from their phone): recorded by `answered`, and a ticket `pending` on them goes back to
 * `in_progress`, its paused SLA clock running again (contract, "Replies to the requester"). Pure;
 * the email and SMS intakes both decide through it.
 */
export function requesterAnswerDecision(ticket: TicketState, now: Date, answered: Decision['events'][number]): Decision {
  if (ticket.status !== 'pending') return { changes: {}, events: [answered] };
  const resumed = moveDecision(ticket, 'in_progress', now);
  return { ...resumed, events: [answered, ...resumed.events] };
}

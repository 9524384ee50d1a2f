import { actorLabel, type Actor, type Requester, type Ticket } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import type { TicketState } from '../store/ticket-repository.js';
import { assertMayWork } from './actions.js';
import { applyChange, ticketIdOrThrow } from './apply-change.js';
import type { TicketDeps } from './deps.js';
import { requesterRoute } from './recipients.js';
import type { Decision } from './write-change.js';

/**
 * Twilio refuses a body over 1,600 characters; this leaves room for the reference and the signature
 * the SMS adds, and for the few characters GSM-7 spells with two (œ → oe).
 */
const SMS_REPLY_MAX_CHARS = 1_500;

/**
 * A technician's or coordinator's message to the requester, by the channel they used (email threaded
 * on the ticket with the watchers in Cc, or SMS; see recipients.ts `requesterRoute`). It is a
 * notification like the others in how it travels (an outbox row written with the change, sent by the
 * notify worker, recorded as an outbound message once sent), but a person's words: no Auto-Submitted.
 * The first reply is the first response: it stops the SLA's response clock.
 */
export async function replyToRequester(deps: TicketDeps, ticketIdOrNumber: string, body: string, actor: Actor): Promise<Ticket> {
  const text = body.trim();
  if (text === '') throw new AppError('UNPROCESSABLE', 'a reply needs a message', { field: 'body' });
  const id = await ticketIdOrThrow(deps, ticketIdOrNumber);
  const current = await deps.store.tickets.get(id);
  if (!current) throw new AppError('TICKET_NOT_FOUND', `ticket ${ticketIdOrNumber} does not exist`);
  const requester = await deps.store.requesters.get(current.requester.id);
  const author = actor.kind === 'technician' ? ((await deps.store.technicians.get(actor.id))?.name ?? null) : null;
  return applyChange(deps, id, actorLabel(actor), (ticket, now) => {
    assertMayWork(actor, ticket);
    return replyDecision(ticket, now, requester, text, author);
  });
}

function replyDecision(ticket: TicketState, now: Date, requester: Requester | null, text: string, author: string | null): Decision {
  if (ticket.status === 'closed') {
    throw new AppError('ILLEGAL_TRANSITION', 'a closed ticket takes no reply; reopen it first');
  }
  const route = requester ? requesterRoute(ticket.channel, requester) : null;
  if (!route) {
    throw new AppError('UNPROCESSABLE', 'the requester has neither an email address nor a phone number to reply to', { field: 'body' });
  }
  if (route.channel === 'sms' && text.length > SMS_REPLY_MAX_CHARS) {
    throw new AppError('UNPROCESSABLE', `a reply by SMS is at most ${SMS_REPLY_MAX_CHARS} characters; this one has ${text.length}`, {
      field: 'body',
    });
  }
  return {
    changes: ticket.respondedAt ? {} : { respondedAt: now },
    events: [{ type: 'reply', data: { body: text, channel: route.channel } }],
    notify: ['requester.reply'],
    extra: { reply: text, author },
  };
}

import { decideThread, lookedUpMessageIds, subjectTicketNumber, ticketByHeaders, type ThreadDecision } from './thread.js';
import type { EmailContext } from './receive-types.js';

/**
 * Loads what decideThread weighs, one lookup per rule, inside the email's transaction: a reply
 * racing its own redelivery through a second mailbox then sees the first one's rows.
 */
export async function threadOf(ctx: EmailContext): Promise<ThreadDecision> {
  const { email, tx } = ctx;
  const repo = ctx.deps.tickets.store.email;
  if (ctx.known.received || ctx.known.sent) return decideThread(email, emptyLookups(ctx, true));
  const byHeaders = ticketByHeaders(email, await repo.ticketsByMessageIds(lookedUpMessageIds(email), tx));
  const number = byHeaders === null ? subjectTicketNumber(email.subject) : null;
  // The subject token is checked against From only: Reply-To is the sender's own claim about where
  // answers go, and would let anyone name someone else's address.
  const ticketBySubject = number === null ? null : await repo.ticketByNumber(number, email.from?.address ?? null, tx);
  return decideThread(email, { ...emptyLookups(ctx, false), ticketByHeaders: byHeaders, ticketBySubject });
}

function emptyLookups(ctx: EmailContext, seenMessageId: boolean) {
  return {
    seenMessageId,
    ticketByHeaders: null,
    ticketBySubject: null,
    reopenWindowDays: ctx.deps.settings.reopenWindowDays,
    now: ctx.now,
  };
}

import { applyChange } from '../../tickets/apply-change.js';
import { appendEmail } from './append-email.js';
import { threadOf } from './receive-thread.js';
import type { EmailContext, ReceiveOutcome } from './receive-types.js';

/**
 * Mail from machines, which the desk never answers (RFC 3834 §2): an automatic reply is kept on the
 * ticket it answers, and a delivery report marks the outbound email it is about.
 */

/** An out-of-office or other automatic answer: recorded on its ticket, nothing else; dropped when it has none. */
export async function receiveAutoReply(ctx: EmailContext): Promise<ReceiveOutcome> {
  const decision = await threadOf(ctx);
  if (decision.action === 'ignore-duplicate') return { outcome: 'duplicate' };
  if (decision.action === 'append') {
    return appendEmail(ctx, { ticketId: decision.ticketId, kind: 'auto-reply', reopen: false, capped: false, via: decision.reason });
  }
  return { outcome: 'dropped', reason: 'an automatic reply to no open ticket' };
}

/**
 * A bounce (RFC 3464 DSN, or a mailer-daemon's free text): the outbound email it names is marked
 * failed, with the report's words as its error, and its ticket gets a `notification_bounced` event;
 * the address suppression then keeps the desk from writing there again for a while. Delay warnings,
 * success reports and read receipts change nothing. The same report delivered twice adds nothing.
 */
export async function receiveBounce(ctx: EmailContext): Promise<ReceiveOutcome> {
  if (ctx.class.kind !== 'bounce') throw new Error('receiveBounce needs a bounce');
  const { reason, failed, originalMessageIds } = ctx.class;
  const repo = ctx.tickets.store.email;
  const outbound = await repo.outbound(originalMessageIds, ctx.tx);
  if (!failed) return { outcome: 'bounce', matched: outbound.length };
  for (const message of outbound) {
    if (message.status === 'failed') continue;
    await repo.markFailed(message.id, reason, ctx.tx);
    if (message.ticketId === null) continue;
    await applyChange(ctx.tickets, message.ticketId, 'system:email', () => ({
      changes: {},
      events: [{ type: 'notification_bounced', data: { messageId: message.externalId, recipient: message.recipient, reason } }],
    }));
  }
  return { outcome: 'bounce', matched: outbound.length };
}

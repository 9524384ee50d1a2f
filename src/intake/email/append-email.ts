import { changeTicket, queueNotifications, type Decision } from '../../tickets/apply-change.js';
import { moveDecision } from '../../tickets/actions.js';
import { reopenedStatus } from '../../tickets/lifecycle.js';
import type { Watcher } from '../../tickets/types.js';
import { isNoReplyAddress } from './auto-reply.js';
import { splitReply } from './quoted.js';
import type { EmailContext, ReceiveOutcome } from './receive-types.js';
import type { InboundEmail } from './types.js';

export interface AppendEmail {
  ticketId: string;
  /** A reply from a person, or an automatic answer (recorded, never acted upon). */
  kind: 'reply' | 'auto-reply';
  /** The ticket is resolved or recently closed: the reply opens it again. */
  reopen: boolean;
  /** Over a storm cap: recorded, but no state change and nobody notified. */
  capped: boolean;
  /** How threading found the ticket, for the event. */
  via: string;
}

/** How much of the reply the technician's notification quotes; the SMS template shortens further. */
const EXCERPT_CHARS = 300;

/**
 * An email joins an existing ticket: the inbound message (new text apart from the quoted history),
 * its attachments, an event, and for a person's reply the state it implies (a resolved ticket
 * reopens, a pending one resumes) and the technician's notification. Within the email's transaction.
 */
export async function appendEmail(ctx: EmailContext, input: AppendEmail): Promise<ReceiveOutcome> {
  const { email, tx, tickets } = ctx;
  const store = tickets.store;
  // The ticket's lock first: two transactions that both reference the row and then ask to update it deadlock.
  const before = await store.tickets.lock(input.ticketId, tx);
  if (!before) throw new Error('the threaded ticket vanished');
  const sender = email.from?.address ?? null;
  const parts = splitReply(email.text);
  const quoted = [parts.quoted, parts.signature].filter((p) => p.trim() !== '').join('\n\n');
  const rowId = await store.messages.record(
    {
      ticketId: input.ticketId,
      direction: 'in',
      channel: 'email',
      sender,
      recipient: email.to[0]?.address ?? null,
      subject: email.subject,
      body: parts.reply.trim() === '' ? email.text.trim() : parts.reply,
      quoted: quoted === '' ? null : quoted,
      externalId: email.messageId,
      at: ctx.now,
    },
    tx,
  );
  if (rowId === null) return { outcome: 'duplicate' };
  const reply = input.kind === 'reply';
  if (reply) await store.email.addAttachments({ ticketId: input.ticketId, messageId: rowId }, email.attachments, tx);

  const role = await store.email.roleOn(input.ticketId, sender, tx);
  const actor = role === 'requester' ? `requester:${before.requesterId}` : 'system:email';
  const event = {
    type: !reply ? 'auto_reply_received' : role === 'requester' ? 'requester_replied' : 'watcher_replied',
    data: {
      channel: 'email',
      messageId: rowId,
      via: input.via,
      ...(reply ? { attachments: email.attachments.length, omitted: email.omitted.length } : {}),
      ...(ctx.class.kind === 'auto-reply' ? { reason: ctx.class.reason } : {}),
      ...(role === 'requester' ? {} : { from: sender }),
      ...(input.capped ? { capped: true } : {}),
    },
  };
  const after = await changeTicket(tickets, input.ticketId, actor, (ticket, now): Decision => {
    if (!reply || input.capped) return { changes: {}, events: [event] };
    const reopens = input.reopen && (ticket.status === 'resolved' || ticket.status === 'closed');
    const to = reopens ? reopenedStatus(ticket.assigneeId !== null) : ticket.status === 'pending' ? 'in_progress' : null;
    if (to === null) return { changes: {}, events: [event] };
    const moved = moveDecision(ticket, to, now);
    return { ...moved, events: [event, ...moved.events] };
  });
  if (!reply) return { outcome: 'auto-reply', ticketId: input.ticketId };
  if (input.capped) return { outcome: 'reply', ticketId: input.ticketId, capped: true };

  if (role !== 'other') await store.tickets.addWatchers(input.ticketId, watchersOf(email, ctx.deps.ourAddresses, sender), tx);
  // The message row is the cause: one notification per inbound email, however often it is redelivered.
  await queueNotifications(
    tickets,
    after,
    rowId,
    {
      notify: ['technician.requester-replied'],
      extra: {
        excerpt: (parts.reply.trim() || email.text).trim().slice(0, EXCERPT_CHARS),
        requesterName: email.from?.name ?? null,
        channel: 'email',
      },
    },
    tx,
  );
  // Only the requester hears about attachments left out: the notice is about their own message.
  if (role === 'requester') await tellOmitted(ctx, after, rowId);
  return { outcome: 'reply', ticketId: input.ticketId, capped: false };
}

/** The CC'd people of an email, without the desk's own addresses, no-reply ones and the sender. */
export function watchersOf(email: InboundEmail, ours: readonly string[], ...exclude: (string | null)[]): Watcher[] {
  const skip = new Set([...ours, ...exclude.filter((a): a is string => a !== null)].map((a) => a.toLowerCase()));
  const out: Watcher[] = [];
  for (const { address } of email.cc) {
    if (skip.has(address) || isNoReplyAddress(address)) continue;
    skip.add(address);
    out.push({ email: address });
  }
  return out;
}

/** The template's names for why an attachment was left out. */
const OMISSION = { 'attachment-too-large': 'too_large', 'message-too-large': 'total_too_large' } as const;

/** Tells the requester which attachments were left out (an outbox row, in the email's transaction). */
export async function tellOmitted(
  ctx: EmailContext,
  state: Parameters<typeof queueNotifications>[1],
  causeId: string,
): Promise<void> {
  const { omitted } = ctx.email;
  if (omitted.length === 0) return;
  const { limits } = ctx.deps.settings;
  await queueNotifications(
    ctx.tickets,
    state,
    causeId,
    {
      notify: ['requester.omitted-attachments'],
      extra: {
        omitted: omitted.map((o) => ({ filename: o.filename, reason: OMISSION[o.reason], sizeBytes: o.size })),
        limits: { maxBytes: limits.maxAttachmentBytes, maxTotalBytes: limits.maxMessageBytes },
      },
    },
    ctx.tx,
  );
}

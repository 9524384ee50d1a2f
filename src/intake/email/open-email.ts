import type { Transaction } from 'sequelize';
import type { Store } from '../../store/index.js';
import { recordTicket, type OpenTicketInput } from '../../tickets/open-ticket.js';
import { isNoReplyAddress } from './auto-reply.js';
import { tellOmitted, watchersOf } from './append-email.js';
import { Redelivered } from './in-transaction.js';
import { guessLanguage, higherUrgency, urgencyFromHeaders } from './hints.js';
import { splitReply } from './quoted.js';
import type { EmailContext, MailboxRef, ReceiveOutcome } from './receive-types.js';
import { cleanSubject } from './thread.js';
import type { Address } from './types.js';

/**
 * A new ticket from an email: its requester (Reply-To for a form sent on someone's behalf), the CC'd
 * people as watchers, the mailbox's category and urgency, the email itself as the first message,
 * its attachments, and the acknowledgement openTicket queues; all in the email's transaction.
 */
export async function openEmailTicket(ctx: EmailContext, options: { linkedTicketId?: string; via: string }): Promise<ReceiveOutcome> {
  const { email, tx, tickets } = ctx;
  const category = await mailboxCategory(tickets.store, ctx.mailbox, tx);
  const result = await recordTicket(tickets, emailTicketInput(ctx, { ...options, category }));
  // Found stored after openTicket had written its ticket into our transaction: undo it all.
  if (!result.created) throw new Redelivered();

  const ticket = result.state;
  if (email.attachments.length > 0 || email.omitted.length > 0) {
    const rowId = result.messageId;
    if (rowId === null) throw new Error('the new ticket has no message row');
    await tickets.store.email.addAttachments({ ticketId: ticket.id, messageId: rowId }, email.attachments, tx);
    // Written in this very transaction, so nobody else can see it yet: no lock needed.
    if (email.omitted.length > 0) await tellOmitted(ctx, ticket, rowId);
  }
  return { outcome: 'ticket', ticketId: ticket.id, number: ticket.number };
}

/** The mailbox's default category, unless it was removed since (categories are edited at run time): then none. */
export async function mailboxCategory(store: Store, mailbox: MailboxRef, tx: Transaction): Promise<string | null> {
  return mailbox.category && (await store.categories.exists(mailbox.category, tx)) ? mailbox.category : null;
}

/** What an email says of the ticket it opens; `category` is the mailbox's, checked (mailboxCategory). */
export function emailTicketInput(
  source: Pick<EmailContext, 'email' | 'raw' | 'mailbox' | 'now'> & { deps: Pick<EmailContext['deps'], 'ourAddresses'> },
  options: { linkedTicketId?: string; via: string; category: string | null },
): OpenTicketInput {
  const { email } = source;
  const from = email.from;
  const requester = requesterOf(from, email.replyTo);
  // A reply to a long-closed ticket: its new text is the request, the quoted history stays on the message.
  const parts = options.linkedTicketId === undefined ? null : splitReply(email.text);
  const text = (parts?.reply.trim() ? parts.reply : email.text).trim();
  const quoted = parts === null ? '' : [parts.quoted, parts.signature].filter((p) => p.trim() !== '').join('\n\n');
  const subject = cleanSubject(email.subject) || firstLine(text) || '(no subject)';
  const ours = source.deps.ourAddresses;
  const watchers = watchersOf(email, ours, requester?.address ?? null);
  // When Reply-To named the requester, the person who wrote still follows the ticket (their replies thread).
  if (from && requester && from.address !== requester.address && !isNoReplyAddress(from.address) && !ours.includes(from.address)) {
    watchers.push({ email: from.address });
  }
  const urgencyHint = higherUrgency(urgencyFromHeaders(source.raw), source.mailbox.urgency);
  return {
    channel: 'email',
    subject: subject.slice(0, 500),
    description: text,
    requester: { name: requester?.name ?? null, email: requester?.address ?? null, language: guessLanguage(source.raw, email.text) },
    ...(watchers.length > 0 ? { watchers } : {}),
    message: {
      externalId: email.messageId,
      sender: from?.address ?? null,
      recipient: email.to[0]?.address ?? null,
      subject: email.subject,
      body: text,
      quoted: quoted === '' ? null : quoted,
      at: source.now,
    },
    ...(urgencyHint ? { urgencyHint } : {}),
    ...(options.category ? { category: options.category } : {}),
    ...(options.linkedTicketId ? { linkedTicketId: options.linkedTicketId } : {}),
    details: { mailbox: source.mailbox.key, thread: options.via },
  };
}

/**
 * Reply-To when there is one (a web form or a shared tool writing for someone: answers go to the
 * person, RFC 5322 §3.6.2), unless it is a no-reply address; From otherwise.
 */
function requesterOf(from: Address | null, replyTo: Address | null): Address | null {
  if (replyTo && !isNoReplyAddress(replyTo.address))
    return { name: replyTo.name ?? (from?.address === replyTo.address ? from.name : null), address: replyTo.address };
  return from;
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 120);
}

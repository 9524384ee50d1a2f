import type { Store } from '../../store/index.js';
import type { OpenTicketInput } from '../../tickets/open-ticket.js';
import { isNoReplyAddress } from '../../mail/addresses.js';
import { watchersOf } from './append-email.js';
import { guessLanguage, higherUrgency, urgencyFromHeaders } from './hints.js';
import { splitReply } from './quoted.js';
import type { MailboxRef, ReceiveDeps } from './receive-types.js';
import { cleanSubject } from './thread.js';
import type { Address, InboundEmail } from './types.js';

/** The mailbox's default category, unless it was removed since (categories are edited at run time): then none. */
export async function mailboxCategory(tx: Store, mailbox: MailboxRef): Promise<string | null> {
  return mailbox.category && (await tx.categories.exists(mailbox.category)) ? mailbox.category : null;
}

/**
 * What an email says of the ticket it opens: its requester (Reply-To for a form sent on someone's
 * behalf), the CC'd people as watchers, the mailbox's category (checked, mailboxCategory) and
 * urgency, the email itself as the first message.
 */
export function emailTicketInput(
  source: { deps: Pick<ReceiveDeps, 'ourAddresses'>; email: InboundEmail; raw: Buffer; mailbox: MailboxRef; now: Date },
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

import type { Role } from '../../store/email-repository.js';
import type { TicketState } from '../../store/ticket-repository.js';
import type { Store } from '../../store/index.js';
import { changeTickets, queueNotifications } from '../../tickets/apply-change.js';
import type { Decision } from '../../tickets/write-change.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { EmailClass } from './auto-reply.js';
import { moveDecision } from '../../tickets/actions.js';
import { requesterAnswerDecision } from '../../tickets/requester-answer.js';
import { reopenedStatus } from '../../tickets/lifecycle.js';
import type { Watcher } from '../../domain/ticket.js';
import { isNoReplyAddress } from '../../mail/addresses.js';
import { splitReply } from './quoted.js';
import type { ReceiveDeps, ReceiveOutcome } from './receive-types.js';
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

/** An email to append, with what it is and the moment it is recorded at. */
export interface AppendItem extends AppendEmail {
  email: InboundEmail;
  class: EmailClass;
  at: Date;
}

/** What appending needs besides the emails: the round's transaction and the ticket use cases within it. */
export interface AppendScope {
  deps: Pick<ReceiveDeps, 'ourAddresses' | 'settings'>;
  tx: Store;
  /** TicketDeps within `tx`. */
  tickets: TicketDeps;
}

/**
 * Emails join existing tickets: each inbound message (new text apart from the quoted history), its
 * attachments, an event, and for a person's reply the state it implies (a resolved ticket reopens, a
 * pending one resumes) and the technician's notification; a statement per step for all of them.
 * Emails to one ticket act in the order given, as they would one after the other, except that the
 * roles are read once: the planner keeps an email whose CC adds watchers to a ticket apart from the
 * others to that ticket. Outcomes in the order given.
 */
export async function appendEmails(scope: AppendScope, items: readonly AppendItem[]): Promise<ReceiveOutcome[]> {
  if (items.length === 0) return [];
  const { tx, tickets } = scope;
  // The tickets' locks first: two transactions that both reference a row and then ask to update it deadlock.
  const locked = await tx.tickets.lockMany(items.map((item) => item.ticketId));
  if (items.some((item) => !locked.has(item.ticketId))) throw new Error('the threaded ticket vanished');
  const split = items.map(({ email }) => splitReply(email.text));
  const rowIds = await tx.messages.recordMany(
    items.map(({ email, ticketId }, i) => {
      const parts = split[i]!;
      const quoted = [parts.quoted, parts.signature].filter((p) => p.trim() !== '').join('\n\n');
      return {
        ticketId,
        direction: 'in',
        channel: 'email',
        sender: email.from?.address ?? null,
        recipient: email.to[0]?.address ?? null,
        subject: email.subject,
        body: parts.reply.trim() === '' ? email.text.trim() : parts.reply,
        quoted: quoted === '' ? null : quoted,
        externalId: email.messageId,
        at: items[i]!.at,
      };
    }),
  );
  // A row already there: the same email, redelivered meanwhile through another mailbox.
  const fresh = items.flatMap((item, i) => {
    const rowId = rowIds[i];
    return rowId
      ? [
          {
            item,
            rowId,
            excerpt: (split[i]!.reply.trim() || item.email.text).trim().slice(0, EXCERPT_CHARS),
            before: locked.get(item.ticketId)!,
          },
        ]
      : [];
  });
  await tx.email.addAttachmentsMany(
    fresh
      .filter(({ item }) => item.kind === 'reply')
      .map(({ item, rowId }) => ({ ticketId: item.ticketId, messageId: rowId, files: item.email.attachments })),
  );
  const roles = await tx.email.rolesOn(fresh.map(({ item }) => ({ ticketId: item.ticketId, address: item.email.from?.address ?? null })));
  const after = await changeTickets(
    tickets,
    fresh.map(({ item, rowId, before }, i) => {
      const role = roles[i]!;
      return {
        ticketId: item.ticketId,
        actor: role === 'requester' ? `requester:${before.requesterId}` : 'system:email',
        decide: decideAppend(item, rowId, role),
      };
    }),
    locked,
  );

  const told = fresh.flatMap((entry, i) =>
    entry.item.kind === 'reply' && !entry.item.capped ? [{ ...entry, role: roles[i]!, after: after[i]! }] : [],
  );
  await tx.tickets.addWatchersMany(
    told
      .filter(({ role }) => role !== 'other')
      .map(({ item }) => ({
        ticketId: item.ticketId,
        watchers: watchersOf(item.email, scope.deps.ourAddresses, item.email.from?.address ?? null),
      })),
  );
  for (const { item, rowId, excerpt, role, after: state } of told) {
    // Only an assigned ticket has a technician to tell: the others need no look at the recipients.
    // The message row is the cause: one notification per inbound email, however often it is redelivered.
    if (state.assigneeId !== null) {
      await queueNotifications(tickets, tx, state, rowId, {
        notify: ['technician.requester-replied'],
        extra: { excerpt, requesterName: item.email.from?.name ?? null, channel: 'email' },
      });
    }
    // Only the requester hears about attachments left out: the notice is about their own message.
    if (role === 'requester') await tellOmitted({ ...scope, email: item.email }, state, rowId);
  }

  const done = new Set(fresh.map(({ item }) => item));
  return items.map((item): ReceiveOutcome => {
    if (!done.has(item)) return { outcome: 'duplicate' };
    if (item.kind === 'auto-reply') return { outcome: 'auto-reply', ticketId: item.ticketId };
    return { outcome: 'reply', ticketId: item.ticketId, capped: item.capped };
  });
}

/** The event an appended email writes, and the move a person's reply implies. */
function decideAppend(item: AppendItem, rowId: string, role: Role) {
  const reply = item.kind === 'reply';
  const sender = item.email.from?.address ?? null;
  const event = {
    type: !reply ? 'auto_reply_received' : role === 'requester' ? 'requester_replied' : 'watcher_replied',
    data: {
      channel: 'email',
      messageId: rowId,
      via: item.via,
      ...(reply ? { attachments: item.email.attachments.length, omitted: item.email.omitted.length } : {}),
      ...(item.class.kind === 'auto-reply' ? { reason: item.class.reason } : {}),
      ...(role === 'requester' ? {} : { from: sender }),
      ...(item.capped ? { capped: true } : {}),
    },
  };
  return (ticket: TicketState, now: Date): Decision => {
    if (!reply || item.capped) return { changes: {}, events: [event] };
    const reopens = item.reopen && (ticket.status === 'resolved' || ticket.status === 'closed');
    if (!reopens) return requesterAnswerDecision(ticket, now, event);
    const moved = moveDecision(ticket, reopenedStatus(ticket.assigneeId !== null), now);
    return { ...moved, events: [event, ...moved.events] };
  };
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

/** Tells the requester which attachments were left out (an outbox row, in the round's transaction). */
export async function tellOmitted(
  scope: AppendScope & { email: InboundEmail },
  state: Parameters<typeof queueNotifications>[2],
  causeId: string,
): Promise<void> {
  const { omitted } = scope.email;
  if (omitted.length === 0) return;
  const { limits } = scope.deps.settings;
  await queueNotifications(scope.tickets, scope.tx, state, causeId, {
    notify: ['requester.omitted-attachments'],
    extra: {
      omitted: omitted.map((o) => ({ filename: o.filename, reason: OMISSION[o.reason], sizeBytes: o.size })),
      limits: { maxBytes: limits.maxAttachmentBytes, maxTotalBytes: limits.maxMessageBytes },
    },
  });
}

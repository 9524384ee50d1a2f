import type { Transaction } from 'sequelize';
import type { Channel } from '../domain/values.js';
import type { Store } from '../store/index.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import { applyChange, queueNotifications } from '../tickets/apply-change.js';
import { moveDecision } from '../tickets/actions.js';
import type { TicketDeps } from '../tickets/deps.js';
import type { Ticket } from '../domain/ticket.js';
import { withLockedTicket } from './ticket-transaction.js';

export interface InboundMessage {
  channel: Channel;
  /** Message-ID, CallSid or MessageSid: a second delivery with the same one changes nothing. */
  externalId: string;
  sender: string | null;
  recipient: string | null;
  subject?: string | null;
  body: string;
  at?: Date;
}

export interface AttachmentLink {
  url: string;
  contentType: string | null;
  filename?: string | null;
}

export interface AppendInput {
  ticketId: string;
  requesterId: string;
  requesterName?: string | null;
  message: InboundMessage;
  attachments?: AttachmentLink[];
  /** Further outbox rows of the same cause (an acknowledgement to the sender), written in the same transaction. */
  also?: (ticket: TicketState) => Notification[];
}

export type AppendResult = { appended: true; ticket: Ticket } | { appended: false };

/** How much of the message the technician's notification quotes; the SMS template shortens further. */
const EXCERPT_CHARS = 300;

/**
 * A requester's message joins their open ticket: the inbound message row, its attachments, a
 * `requester_replied` event and the technician's notification, all in one transaction. A ticket that
 * was `pending` (waiting for this very answer) goes back to `in_progress`, which restarts its clock.
 * A redelivery (same channel and external id) changes nothing and answers `appended: false`.
 */
export async function appendInboundMessage(deps: TicketDeps, input: AppendInput): Promise<AppendResult> {
  const { message } = input;
  return withLockedTicket(deps, input.ticketId, async ({ tx, state, deps: bound }) => {
    const messageId = await deps.store.messages.record({ ...message, ticketId: input.ticketId, direction: 'in' }, tx);
    if (messageId === null) return { appended: false } as const;
    await addAttachments(deps.store, tx, { ticketId: input.ticketId, messageId }, input.attachments ?? []);
    const ticket = await applyChange(bound, input.ticketId, `requester:${input.requesterId}`, (t, now) => {
      const replied = {
        type: 'requester_replied',
        data: { channel: message.channel, messageId, attachments: input.attachments?.length ?? 0 },
      };
      if (t.status !== 'pending') return { changes: {}, events: [replied] };
      const resumed = moveDecision(t, 'in_progress', now);
      return { changes: resumed.changes, events: [replied, ...resumed.events] };
    });
    // The message row is the cause: one notification per inbound message, whatever retries follow.
    await queueNotifications(
      deps,
      state,
      messageId,
      {
        notify: ['technician.requester-replied'],
        extra: {
          excerpt: message.body.trim().slice(0, EXCERPT_CHARS),
          requesterName: input.requesterName ?? null,
          channel: message.channel,
        },
      },
      tx,
    );
    if (input.also) await deps.store.outbox.add(input.also(state), tx);
    return { appended: true, ticket } as const;
  });
}

/**
 * Links media (MMS pictures, a call recording) to a ticket. The files stay where they are; the row
 * keeps the URL and type. Links already on the ticket are skipped, so a retried callback adds nothing;
 * callers hold the ticket's lock, which makes the check and the insert one step.
 */
export async function addAttachments(
  store: Store,
  tx: Transaction,
  owner: { ticketId: string; messageId: string | null },
  links: readonly AttachmentLink[],
): Promise<number> {
  if (links.length === 0) return 0;
  const { Attachment } = store.models;
  const existing = await Attachment.findAll({ where: { ticketId: owner.ticketId }, attributes: ['url'], transaction: tx });
  const known = new Set(existing.map((a) => a.url));
  const fresh = links.filter((l) => !known.has(l.url));
  if (fresh.length === 0) return 0;
  await Attachment.bulkCreate(
    fresh.map((l) => ({
      ticketId: owner.ticketId,
      messageId: owner.messageId,
      url: l.url,
      contentType: l.contentType,
      filename: l.filename ?? null,
      size: null,
      sha256: null,
    })),
    { transaction: tx },
  );
  return fresh.length;
}

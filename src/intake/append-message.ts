import type { Channel } from '../domain/values.js';
import type { AttachmentLink } from '../store/attachment-link-repository.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import { applyChange, queueNotifications } from '../tickets/apply-change.js';
import { requesterAnswerDecision } from '../tickets/requester-answer.js';
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
    const messageId = await tx.messages.record({ ...message, ticketId: input.ticketId, direction: 'in' });
    if (messageId === null) return { appended: false } as const;
    await tx.attachmentLinks.addNew({ ticketId: input.ticketId, messageId }, input.attachments ?? []);
    const ticket = await applyChange(bound, input.ticketId, `requester:${input.requesterId}`, (t, now) =>
      requesterAnswerDecision(t, now, {
        type: 'requester_replied',
        data: { channel: message.channel, messageId, attachments: input.attachments?.length ?? 0 },
      }),
    );
    // The message row is the cause: one notification per inbound message, whatever retries follow.
    await queueNotifications(deps, tx, state, messageId, {
      notify: ['technician.requester-replied'],
      extra: {
        excerpt: message.body.trim().slice(0, EXCERPT_CHARS),
        requesterName: input.requesterName ?? null,
        channel: message.channel,
      },
    });
    if (input.also) await tx.outbox.add(input.also(state));
    return { appended: true, ticket } as const;
  });
}

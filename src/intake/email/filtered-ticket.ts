import type { Ticket } from '../../domain/ticket.js';
import { AppError } from '../../errors.js';
import { within, type TicketDeps } from '../../tickets/deps.js';
import { recordTicket } from '../../tickets/open-ticket.js';
import { emailTicketInput, mailboxCategory } from './open-email.js';
import { readEmail } from './read-email.js';
import type { MailboxRef } from './receive-types.js';
import { DEFAULT_EMAIL_SETTINGS } from './settings.js';

/** Said in the ticket's creation event: how it was threaded (open-email.ts `details.thread`). */
const BY_A_PERSON = 'filtered mail turned into a ticket by a person';

/**
 * A person decides a filtered email was a request after all (POST /api/filtered/:id/ticket): its
 * raw bytes go through the same reading and the same opening as any email ticket's (requester from
 * Reply-To or From, CC'd people as watchers, the mailbox's category and urgency, its attachments),
 * with the acknowledgement a new ticket always sends. Once only: the filtered row is locked and
 * marked with the ticket, and a second attempt is a conflict naming it.
 */
export async function ticketFromFiltered(deps: TicketDeps, id: string): Promise<Ticket> {
  const ticketId = await deps.store.transaction(async (tx) => {
    const source = await tx.filteredMail.lockSource(id);
    if (!source) throw new AppError('NOT_FOUND', 'no filtered email has this id');
    if (source.ticketId !== null) throw await alreadyOpened(tx, source.ticketId);
    const mailbox: MailboxRef = { key: source.mailbox, category: source.category, urgency: source.urgency };
    const read = await readEmail({ settings: DEFAULT_EMAIL_SETTINGS }, { mailbox, raw: source.raw });
    if (!read.ok) throw new AppError('UNPROCESSABLE', `this email cannot be read again: ${read.reason}`);
    const { email } = read;
    const input = emailTicketInput(
      { deps: { ourAddresses: source.deskAddresses }, email, raw: source.raw, mailbox, now: deps.now?.() ?? new Date() },
      { via: BY_A_PERSON, category: await mailboxCategory(tx, mailbox) },
    );
    // The desk's own mail come back has the desk as its requester: its acknowledgement would go round again.
    const requester = input.requester.email ?? null;
    if (requester !== null && source.deskAddresses.includes(requester)) {
      throw new AppError('UNPROCESSABLE', `this email is from the desk itself (${requester}): it has no requester to open a ticket for`);
    }
    const recorded = await recordTicket(within(deps, tx), input);
    // Its Message-ID is on a ticket already (the same email came in again as a reply, or was ours).
    if (!recorded.created) throw await alreadyOpened(tx, recorded.ticketId);
    if (recorded.messageId !== null) {
      await tx.email.addAttachmentsMany([{ ticketId: recorded.state.id, messageId: recorded.messageId, files: email.attachments }]);
    }
    await tx.filteredMail.markTicket(id, recorded.state.id);
    return recorded.state.id;
  });
  const ticket = await deps.store.tickets.get(ticketId);
  if (!ticket) throw new AppError('INTERNAL', 'the new ticket vanished');
  return ticket;
}

async function alreadyOpened(tx: TicketDeps['store'], ticketId: string | null): Promise<AppError> {
  const ticket = ticketId === null ? null : await tx.tickets.get(ticketId);
  if (!ticket) return new AppError('CONFLICT', 'this email is on a ticket already');
  return new AppError('CONFLICT', `this email is on ticket ${ticket.reference} already`, {
    ticketId: ticket.id,
    reference: ticket.reference,
  });
}

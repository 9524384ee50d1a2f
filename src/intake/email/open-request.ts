import { matchCatalogItem } from '../../rules/catalog-match.js';
import { openRequest } from '../../tickets/requests.js';
import { tellOmitted, type AppendScope } from './append-email.js';
import { emailTicketInput } from './open-email.js';
import type { Planned } from './plan.js';
import type { MailboxRef, ReceiveOutcome } from './receive-types.js';
import type { InboundEmail } from './types.js';

/**
 * Service requests by email (#17): a new email (one threading to no ticket, as planRound decided)
 * sent to HELPDESK_REQUEST_ADDRESS opens a request rather than an incident. Its item is the one the
 * pure rule (rules/catalog-match.ts) reads in its subject and prose, `other` when none stands out;
 * it is opened through openRequest, so its approvers are asked and its requester acknowledged as by
 * the API, and the email is its first message, so that replies thread onto it as onto any ticket.
 */

type Opening = { waiting: Planned['waiting']; step: Extract<Planned['step'], { action: 'open' }> };

/**
 * Whether the email was sent to the request address: in To or Cc (addresses are lower-cased by the
 * parser, as the config's), or, for a Bcc, among the recipients its delivery names: the MTA's RCPT TO
 * when it pushed the message, or the Delivered-To / X-Original-To the delivering agent wrote into a
 * mailbox. A sender could write those headers too; all it gains is a request instead of an incident.
 */
export function sentToRequestAddress(email: InboundEmail, address: string | undefined): boolean {
  if (!address) return false;
  if ([...email.to, ...email.cc].some((a) => a.address === address)) return true;
  if (email.envelopeTo?.includes(address)) return true;
  const delivered = [...(email.headers['delivered-to'] ?? []), ...(email.headers['x-original-to'] ?? [])];
  return delivered.some((value) => deliveredAddress(value) === address);
}

/** `requests@example.com` or `<requests@example.com>`, as MTAs write these headers. */
function deliveredAddress(value: string): string {
  const trimmed = value.trim();
  return (trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed).toLowerCase();
}

/**
 * The requests of a round, in its transaction (openRequest joins it), each with its files and, when
 * the size limits left some out, the notice saying so. Outcomes in order.
 */
export async function openEmailRequests(
  scope: AppendScope,
  mailbox: MailboxRef,
  opening: readonly Opening[],
  atOf: (uid: number) => Date,
): Promise<ReceiveOutcome[]> {
  if (opening.length === 0) return [];
  const { deps, tx, tickets } = scope;
  const items = await tx.catalog.list();
  const outcomes: ReceiveOutcome[] = [];
  for (const { waiting, step } of opening) {
    const { email } = waiting;
    const input = emailTicketInput(
      { deps, email, raw: waiting.raw, mailbox, now: atOf(waiting.uid) },
      { via: step.via, category: null, ...(step.linkedTicketId ? { linkedTicketId: step.linkedTicketId } : {}) },
    );
    const match = matchCatalogItem(items, { subject: input.subject, body: input.description });
    const { name, email: address, language } = input.requester;
    // Those it copied follow it, as an incident's (the desk's addresses, the request address among them, never).
    const watchers = input.watchers ?? [];
    const ticket = await openRequest(tickets, {
      itemId: match.itemId,
      requester: { ...(name ? { name } : {}), ...(address ? { email: address } : {}) },
      fields: match.fields,
      channel: 'email',
      subject: input.subject,
      description: input.description,
      ...(language ? { language } : {}),
      ...(watchers.length > 0 ? { watchers } : {}),
      ...(input.message ? { message: input.message } : {}),
      ...(input.details ? { details: input.details } : {}),
    });
    const messageId = await tx.messages.idOf('email', email.messageId);
    if (messageId !== null) {
      await tx.email.addAttachmentsMany([{ ticketId: ticket.id, messageId, files: email.attachments }]);
      // The files the size limits left out: the requester is told, as for an incident.
      const state = email.omitted.length > 0 ? await tx.tickets.lock(ticket.id) : null;
      if (state) await tellOmitted({ ...scope, email }, state, messageId);
    }
    outcomes.push({ outcome: 'ticket', ticketId: ticket.id, number: ticket.number });
  }
  return outcomes;
}

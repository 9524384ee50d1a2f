import type { TicketStatus } from '../../domain/values.js';
import type { InboundEmail } from './types.js';

/**
 * Which ticket an email belongs to. The caller loads what the rules need (one lookup per rule, see
 * `referencedMessageIds` and `subjectTicketNumber`); the decision itself is pure, strongest evidence first:
 * 1. its Message-ID was seen already → a redelivery, nothing new;
 * 2. In-Reply-To / References name a message of a ticket (RFC 5322 §3.6.4) → that ticket;
 * 3. `[HD-<number>]` in the subject → that ticket, only if the sender is its requester or a watcher, so
 *    that nobody writes into someone else's ticket by guessing a number;
 * then a reply to a resolved ticket reopens it, and one to a ticket closed longer ago than the reopen
 * window opens a new ticket linked to the old one.
 */

export interface TicketRef {
  id: string;
  number: string;
  status: TicketStatus;
  closedAt: Date | null;
}

export interface ThreadLookups {
  seenMessageId: boolean;
  /** The ticket whose sent or received message matched In-Reply-To / References. */
  ticketByHeaders: TicketRef | null;
  /** The ticket named by the subject token, and whether the sender is its requester or a watcher. */
  ticketBySubject: (TicketRef & { senderIsRequesterOrWatcher: boolean }) | null;
  reopenWindowDays: number;
  now: Date;
}

export type ThreadDecision =
  | { action: 'ignore-duplicate'; reason: string }
  | { action: 'append'; ticketId: string; reopen: boolean; reason: string }
  | { action: 'new-ticket'; linkedTicketId?: string; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const BY_HEADERS = 'In-Reply-To/References';

const matched = (via: string, number: number | string) => `${via} matched HD-${number}`;

/** How rule 2 names an open ticket it found by the headers, for the event: one the round opened is named so once it has its number. */
export function matchedByHeaders(number: number | string): string {
  return matched(BY_HEADERS, number);
}

export function decideThread(email: Pick<InboundEmail, 'messageId'>, lookups: ThreadLookups): ThreadDecision {
  if (lookups.seenMessageId) {
    return { action: 'ignore-duplicate', reason: `Message-ID <${email.messageId}> was already received` };
  }
  if (lookups.ticketByHeaders !== null) {
    return toTicket(lookups.ticketByHeaders, BY_HEADERS, lookups);
  }
  const bySubject = lookups.ticketBySubject;
  if (bySubject !== null) {
    if (bySubject.senderIsRequesterOrWatcher) return toTicket(bySubject, 'the subject token', lookups);
    return {
      action: 'new-ticket',
      reason: `the subject names HD-${bySubject.number} but the sender is neither its requester nor a watcher`,
    };
  }
  return { action: 'new-ticket', reason: 'no reference to a known ticket' };
}

function toTicket(ticket: TicketRef, via: string, lookups: ThreadLookups): ThreadDecision {
  const ref = `HD-${ticket.number}`;
  if (ticket.status === 'closed') {
    const closedFor = ticket.closedAt === null ? Infinity : lookups.now.getTime() - ticket.closedAt.getTime();
    if (closedFor > lookups.reopenWindowDays * DAY_MS) {
      // Unknown closing date: treated as long ago, since reopening needs proof that it is recent.
      return {
        action: 'new-ticket',
        linkedTicketId: ticket.id,
        reason: `${via} matched ${ref}, closed more than ${lookups.reopenWindowDays} days ago`,
      };
    }
    return { action: 'append', ticketId: ticket.id, reopen: true, reason: `${via} matched ${ref}, closed recently: reopened` };
  }
  if (ticket.status === 'resolved') {
    return { action: 'append', ticketId: ticket.id, reopen: true, reason: `${via} matched ${ref}, resolved: reopened` };
  }
  return { action: 'append', ticketId: ticket.id, reopen: false, reason: matched(via, ticket.number) };
}

/**
 * The Message-IDs to look up for rule 2: In-Reply-To (the direct parent) first, then References from the
 * newest back (RFC 5322 §3.6.4 lists them oldest first), deduplicated.
 */
export function referencedMessageIds(email: Pick<InboundEmail, 'inReplyTo' | 'references'>): string[] {
  const ids = [...(email.inReplyTo === null ? [] : [email.inReplyTo]), ...[...email.references].reverse()];
  return [...new Set(ids)];
}

// A References header can be made as long as one likes: only its newest ones are looked up.
const LOOKED_UP = 50;

/** The Message-IDs whose tickets rule 2 looks up, in the order it weighs them. */
export function lookedUpMessageIds(email: Pick<InboundEmail, 'inReplyTo' | 'references'>): string[] {
  return referencedMessageIds(email).slice(0, LOOKED_UP);
}

/** Rule 2's ticket, from the tickets found for lookedUpMessageIds: that of the first one naming a ticket. */
export function ticketByHeaders<T>(email: Pick<InboundEmail, 'inReplyTo' | 'references'>, byMessageId: ReadonlyMap<string, T>): T | null {
  for (const id of lookedUpMessageIds(email)) {
    const ticket = byMessageId.get(id);
    if (ticket) return ticket;
  }
  return null;
}

// Bounded digits keep the scan linear; ticket numbers are digits only (see the contract).
const TOKEN = /\[\s*HD-(\d{1,12})\s*\]/i;

/** The ticket number of the first `[HD-<number>]` token, wherever reply and forward prefixes put it. */
export function subjectTicketNumber(subject: string): string | null {
  return TOKEN.exec(subject)?.[1] ?? null;
}

/**
 * Reply and forward prefixes in English, French and German, as clients write them: Re, Fwd/Fw, TR (transfert),
 * RE : (French typography), AW (Antwort), WG (Weitergeleitet), Antw, with counters such as Re[2] or Re(2).
 */
const PREFIX = /^(?:re|fwd?|tr|aw|wg|antw|antwort)\s?(?:\[\d{1,4}\]|\(\d{1,4}\)|\^\d{1,4})?\s?[:：]\s*/iu;

/** The subject without reply/forward prefixes and without our `[HD-<number>]` token. */
export function cleanSubject(subject: string): string {
  let rest = subject.replace(new RegExp(TOKEN.source, 'gi'), ' ').replace(/\s+/g, ' ').trim();
  for (let previous = ''; previous !== rest;) {
    previous = rest;
    rest = rest.replace(PREFIX, '').trim();
  }
  return rest;
}

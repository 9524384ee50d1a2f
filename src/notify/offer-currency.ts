/**
 * Whether an offer text is still worth sending when its turn comes. A backlog (the SMS channel
 * down for a while, then back) holds offers written minutes ago; meanwhile the offer may have been
 * declined, timed out, accepted, or given to someone else, and its technician may have been
 * offered the ticket again. Sending such a text makes a technician ACCEPT a ticket that is not
 * theirs, and the ticket's owner read the same offer twice. Pure: the facts are read by the
 * caller (store/outbox-deliveries.ts), at the moment of sending.
 */

export const OFFER_KINDS: readonly string[] = ['technician.offer', 'technician.offer-reminder'];

/** Why an offer text was set aside instead of sent (the row's `error_code`). */
export type SupersededCode =
  | 'OFFER_DECLINED'
  | 'OFFER_EXPIRED'
  | 'OFFER_ACCEPTED'
  | 'OFFER_WITHDRAWN'
  | 'REASSIGNED'
  | 'REOFFERED'
  | 'OFFER_NOT_SENT_YET'
  | 'OFFER_SENT_LATE';

export interface OfferFacts {
  kind: string;
  /** When the row was written. */
  writtenAt: Date;
  /** The row's cause: an `assigned` or `offer_renewed` event for an offer, `offer_reminder` for a reminder. */
  cause: { id: string; type: string; technicianId: string | null; offeredAt: number | null } | null;
  ticket: { status: string; assigneeId: string | null; offeredAt: number | null };
  /** The ticket's latest `assigned` or `offer_renewed` event: the offer that stands. */
  latestOfferId: string | null;
  /** The first event after the cause that moved the ticket off this offer, if any. */
  movedBy: string | null;
  /** When the text of the offer that stands went out to this recipient (for a reminder). */
  offerSentAt: Date | null;
  /** That offer's text is still owed to this recipient (pending or being sent), for a reminder. */
  offerOwed: boolean;
}

export type OfferCurrency = { current: true } | { current: false; code: SupersededCode; reason: string };

const CURRENT: OfferCurrency = { current: true };

const MOVES: Record<string, { code: SupersededCode; reason: string }> = {
  declined: { code: 'OFFER_DECLINED', reason: 'the technician declined the offer before its text went out' },
  offer_expired: { code: 'OFFER_EXPIRED', reason: 'the offer timed out before its text went out' },
  accepted: { code: 'OFFER_ACCEPTED', reason: 'the offer was accepted before its text went out' },
  assigned: { code: 'REASSIGNED', reason: 'the ticket was offered anew before this text went out' },
  offer_renewed: { code: 'REASSIGNED', reason: 'the ticket was offered anew before this text went out' },
};

/** The events that can end an offer, for the store to find the first one after a row's cause. */
export const OFFER_ENDING_EVENTS: readonly string[] = [
  'declined',
  'offer_expired',
  'accepted',
  'assigned',
  'offer_renewed',
  'unassigned',
  'escalated',
  'status_changed',
  'resolved',
  'closed',
  'reopened',
];

const withdrawn = (movedBy: string | null, takenByThem: boolean): OfferCurrency => {
  const known = movedBy ? MOVES[movedBy] : undefined;
  if (known) return { current: false, ...known };
  // Moved on by status (the technician's own token, a coordinator) while still theirs: taken.
  if (takenByThem) return { current: false, code: 'OFFER_ACCEPTED', reason: 'the technician took the ticket before the text went out' };
  return {
    current: false,
    code: 'OFFER_WITHDRAWN',
    reason: `the ticket is no longer offered to this technician${movedBy ? ` (${movedBy.replace(/_/g, ' ')})` : ''}`,
  };
};

export function offerCurrency(facts: OfferFacts): OfferCurrency {
  const { cause, ticket } = facts;
  // A row of another writer (no event of its own) cannot be judged: it goes out as it always did.
  if (!OFFER_KINDS.includes(facts.kind) || !cause?.technicianId) return CURRENT;
  const theirs = ticket.assigneeId === cause.technicianId;
  const stillOffered = ticket.status === 'assigned' && theirs;
  const taken = theirs && ticket.status !== 'new';
  if (facts.kind === 'technician.offer') {
    if (facts.latestOfferId !== null && facts.latestOfferId !== cause.id) {
      // The newer offer's own text says it all; this one would make the owner read it twice.
      return stillOffered
        ? {
            current: false,
            code: 'REOFFERED',
            reason: 'the ticket was offered to this technician again since; that newer offer is sent instead',
          }
        : withdrawn(facts.movedBy ?? 'assigned', taken);
    }
    return stillOffered ? CURRENT : withdrawn(facts.movedBy, taken);
  }
  // A reminder is of the offer made at `offeredAt`: current while that very offer stands.
  if (!stillOffered || cause.offeredAt === null || ticket.offeredAt !== cause.offeredAt)
    return withdrawn(facts.movedBy ?? 'assigned', taken);
  if (facts.offerOwed) {
    return { current: false, code: 'OFFER_NOT_SENT_YET', reason: 'the offer itself has not gone out yet; its text will say it all' };
  }
  if (facts.offerSentAt && facts.offerSentAt.getTime() >= facts.writtenAt.getTime()) {
    return {
      current: false,
      code: 'OFFER_SENT_LATE',
      reason: 'the offer itself went out after this reminder was due; a reminder now would repeat it',
    };
  }
  return CURRENT;
}

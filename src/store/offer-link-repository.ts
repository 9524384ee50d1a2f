import { createHmac, timingSafeEqual } from 'node:crypto';
import { rows, type Db } from './handle.js';

/**
 * The offer link of a technician's phone (`PUBLIC_URL/o/<code>`): its code, and its single use.
 *
 * The code is derived, not drawn: the offer's event id (5 bytes) followed by 128 bits of HMAC over
 * it, keyed by a server secret, in base64url (28 characters). It exists as soon as the offer's
 * event commits (the offer's own transaction), any process holding the secret recomputes it (the
 * SMS worker when it sends, again after a crash when it asks Twilio whether the text went out), and
 * it is stored nowhere: the outbox and the messages keep the text with the code masked, and the
 * only row is written when the link is used. A dump of the database opens no offer.
 */

const ID_BYTES = 5;
const MAC_BYTES = 16;
/** Characters in a code: (5 + 16) bytes of base64url without padding. */
export const OFFER_LINK_CODE_LENGTH = ((ID_BYTES + MAC_BYTES) * 4) / 3;
/** Event ids past 2^40 would not fit the code; the offer text then goes without a link. */
const MAX_EVENT_ID = 2n ** BigInt(ID_BYTES * 8);
const CODE = new RegExp(`^[A-Za-z0-9_-]{${OFFER_LINK_CODE_LENGTH}}$`);

function mac(secret: string, offerEventId: bigint): Buffer {
  // A key of its own, derived from the secret, so that the secret's other use (Twilio's request
  // signatures) never signs the same bytes as these codes.
  const key = createHmac('sha256', secret).update('helpdesk offer link v1').digest();
  return createHmac('sha256', key).update(`offer:${offerEventId}`).digest().subarray(0, MAC_BYTES);
}

/** The code of the offer made by event `offerEventId`; null for an id the code cannot carry. */
export function offerLinkCode(secret: string, offerEventId: string): string | null {
  if (!/^\d{1,18}$/.test(offerEventId)) return null;
  const id = BigInt(offerEventId);
  if (id >= MAX_EVENT_ID) return null;
  const head = Buffer.alloc(ID_BYTES);
  head.writeUIntBE(Number(id), 0, ID_BYTES);
  return Buffer.concat([head, mac(secret, id)]).toString('base64url');
}

/** The offer event a code was made for; null for a code we did not make (compared in constant time). */
export function offerEventOfCode(secret: string, code: string): string | null {
  if (!CODE.test(code)) return null;
  const bytes = Buffer.from(code, 'base64url');
  const id = BigInt(bytes.readUIntBE(0, ID_BYTES));
  return timingSafeEqual(bytes.subarray(ID_BYTES), mac(secret, id)) ? String(id) : null;
}

export type OfferLinkOutcome = 'accepted' | 'declined';

export interface OfferLink {
  offerEventId: string;
  ticketId: string;
  technicianId: string;
  /** The offer still stands: the ticket is offered to that technician, and nothing moved it since this offer. */
  standing: boolean;
  /** What the link was used for; null while unused. */
  used: OfferLinkOutcome | null;
}

export function createOfferLinkRepository(db: Db) {
  return {
    /**
     * The offer made by that event, as it is now. `endingEvents`: the events that end an offer
     * (notify/offer-currency.ts), so that a ticket reopened to the same technician does not revive
     * an offer they already answered.
     */
    async find(offerEventId: string, endingEvents: readonly string[]): Promise<OfferLink | null> {
      const [row] = await rows<{
        offerEventId: string;
        ticketId: string;
        technicianId: string | null;
        standing: boolean;
        used: OfferLinkOutcome | null;
      }>(
        db,
        `SELECT e.id::text AS "offerEventId", e.ticket_id AS "ticketId", e.data->>'technicianId' AS "technicianId",
                (t.status = 'assigned' AND t.assignee_id::text = e.data->>'technicianId'
                  AND NOT EXISTS (SELECT 1 FROM ticket_events n
                                   WHERE n.ticket_id = e.ticket_id AND n.id > e.id AND n.type = ANY(CAST($moves AS text[])))) AS standing,
                l.outcome AS used
           FROM ticket_events e
           JOIN tickets t ON t.id = e.ticket_id
           LEFT JOIN offer_links l ON l.offer_event_id = e.id
          WHERE e.id = CAST($id AS bigint) AND e.type IN ('assigned', 'offer_renewed')`,
        { id: offerEventId, moves: endingEvents },
      );
      if (!row?.technicianId) return null;
      return { ...row, technicianId: row.technicianId };
    },

    /**
     * Marks the link used, once: true for the one caller whose row went in, false when it was
     * used already (the primary key decides between two taps at once).
     */
    async use(link: Pick<OfferLink, 'offerEventId' | 'ticketId' | 'technicianId'>, outcome: OfferLinkOutcome): Promise<boolean> {
      const inserted = await rows<{ id: string }>(
        db,
        `INSERT INTO offer_links (offer_event_id, ticket_id, technician_id, outcome)
         VALUES (CAST($id AS bigint), $ticketId, $technicianId, $outcome)
         ON CONFLICT (offer_event_id) DO NOTHING
         RETURNING offer_event_id::text AS id`,
        { id: link.offerEventId, ticketId: link.ticketId, technicianId: link.technicianId, outcome },
      );
      return inserted.length === 1;
    },
  };
}

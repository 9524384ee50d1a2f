import { OFFER_LINK_CODE_LENGTH, offerLinkCode } from '../store/offer-link-repository.js';

/**
 * The link an offer text carries to the technician's phone (`PUBLIC_URL/o/<code>`). The text is
 * rendered once and stored on the outbox row, then recorded as the outbound message: both keep the
 * link masked, and only the body handed to Twilio carries the code, recomputed from the offer's
 * event (store/offer-link-repository.ts). The mask has the code's length, so the segments counted
 * at render time are the segments sent.
 */
export interface OfferLinks {
  /** PUBLIC_URL: where the phone opens the link. */
  publicUrl: string;
  /** The server secret the codes are made with (TWILIO_AUTH_TOKEN: no SMS goes out without it). */
  secret: string;
}

const MASK = '*'.repeat(OFFER_LINK_CODE_LENGTH);

/** The rows that carry a link: an offer texted to a phone, caused by the offer's own event. */
function offerEventOf(row: { kind: string; channel: string; payload: Record<string, unknown> }): string | undefined {
  const causeId = row.payload.causeId;
  return row.kind === 'technician.offer' && row.channel === 'sms' && typeof causeId === 'string' ? causeId : undefined;
}

const base = (links: OfferLinks) => `${links.publicUrl.replace(/\/+$/, '')}/o/`;

/** The link as the stored text shows it, or undefined when this row carries none. */
export function maskedOfferLink(
  links: OfferLinks | undefined,
  row: { kind: string; channel: string; payload: Record<string, unknown> },
  causeType: string | undefined,
): string | undefined {
  const eventId = offerEventOf(row);
  // A row caused by anything but the offer itself (another writer's) has no offer to open.
  if (!links || !eventId || (causeType !== 'assigned' && causeType !== 'offer_renewed')) return undefined;
  return offerLinkCode(links.secret, eventId) === null ? undefined : `${base(links)}${MASK}`;
}

/** The text as it goes to Twilio: the masked link, if any, replaced by the real one. */
export function revealOfferLink(
  links: OfferLinks | undefined,
  row: { kind: string; channel: string; payload: Record<string, unknown> },
  body: string,
): string {
  const eventId = offerEventOf(row);
  const code = links && eventId ? offerLinkCode(links.secret, eventId) : null;
  if (!links || code === null) return body;
  const masked = `${base(links)}${MASK}`;
  const at = body.lastIndexOf(masked);
  return at < 0 ? body : `${body.slice(0, at)}${base(links)}${code}${body.slice(at + masked.length)}`;
}

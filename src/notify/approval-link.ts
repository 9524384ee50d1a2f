import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/index.js';

/**
 * The link an approver gets to answer a request (`PUBLIC_URL/approvals/<code>`; the same page with
 * `#reject` opens at the reject form). No sign-in: the code is the proof, so it is derived, not
 * drawn, as the offer and article links' are (store/offer-link-repository.ts,
 * article-suggestion-repository.ts): the approval's id (16 bytes) followed by 128 bits of HMAC over
 * it, keyed by a key derived from a server secret, in base64url. It is stored nowhere: the outbox
 * row and the recorded message keep the link masked, and only the copy handed to the channel
 * (SMTP, Twilio) carries the code, recomputed from the row's `approvalId`. A dump of the database
 * answers no request.
 */

const ID_BYTES = 16;
const MAC_BYTES = 16;
/** Characters in a code: 32 bytes of base64url without padding. */
const CODE_LENGTH = Math.ceil(((ID_BYTES + MAC_BYTES) * 4) / 3);
const CODE = new RegExp(`^[A-Za-z0-9_-]{${CODE_LENGTH}}$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The outbox kinds whose text carries an approval's link, by payload `approvalId`. */
const LINK_KINDS: readonly string[] = ['approver.request', 'approver.reminder'];

export interface ApprovalLinks {
  /** PUBLIC_URL: where the approver opens the link. */
  publicUrl: string;
  /** The server secret the codes are made with; without one, the messages carry no link (SMS answers still work). */
  secret: string | undefined;
}

/**
 * The secret of the codes: TWILIO_AUTH_TOKEN, else HELPDESK_API_TOKEN, as for the article links
 * (both server secrets, each used here through a key derived for these codes alone).
 */
export function approvalLinksOf(config: Pick<Config, 'publicUrl' | 'twilio' | 'apiToken'>): ApprovalLinks {
  return { publicUrl: config.publicUrl, secret: config.twilio?.authToken ?? config.apiToken };
}

function mac(secret: string, id: Buffer): Buffer {
  // A key of its own: the secret's other uses (Twilio's signatures, the offer and article links) never sign these bytes.
  const key = createHmac('sha256', secret).update('helpdesk approval link v1').digest();
  return createHmac('sha256', key).update(id).digest().subarray(0, MAC_BYTES);
}

/** The code of approval `id` (a uuid); null for an id that is not one. */
export function approvalCode(secret: string, id: string): string | null {
  if (!UUID.test(id)) return null;
  const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
  return Buffer.concat([bytes, mac(secret, bytes)]).toString('base64url');
}

/** The approval a code was made for; null for a code we did not make (compared in constant time). */
export function approvalOfCode(secret: string, code: string): string | null {
  if (!CODE.test(code)) return null;
  const bytes = Buffer.from(code, 'base64url');
  // 32 bytes leave the last character 2 bits that decoders ignore (RFC 4648 §3.5): only the
  // canonical spelling is the code, so that an approval has one link and an altered one never opens.
  if (bytes.length !== ID_BYTES + MAC_BYTES || bytes.toString('base64url') !== code) return null;
  const id = bytes.subarray(0, ID_BYTES);
  if (!timingSafeEqual(bytes.subarray(ID_BYTES), mac(secret, id))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const base = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/approvals/`;
/** The mask has the code's length, so the SMS's segments counted at render time are the ones sent. */
const MASK = '*'.repeat(CODE_LENGTH);

function approvalOf(row: { kind: string; payload: Record<string, unknown> }): string | undefined {
  const id = row.payload.approvalId;
  return LINK_KINDS.includes(row.kind) && typeof id === 'string' ? id : undefined;
}

/** The link as the stored text shows it, or undefined when this row carries none. */
export function maskedApprovalLink(
  links: ApprovalLinks | undefined,
  row: { kind: string; payload: Record<string, unknown> },
): string | undefined {
  const id = approvalOf(row);
  if (!links?.secret || !id || approvalCode(links.secret, id) === null) return undefined;
  return `${base(links.publicUrl)}${MASK}`;
}

/** The text as it goes to the channel: the masked link (and its `#reject` twin) replaced by the real one. */
export function revealApprovalLink(
  links: ApprovalLinks | undefined,
  row: { kind: string; payload: Record<string, unknown> },
  text: string,
): string {
  const id = approvalOf(row);
  const code = links?.secret && id ? approvalCode(links.secret, id) : null;
  if (!links || code === null) return text;
  return text.replaceAll(`${base(links.publicUrl)}${MASK}`, `${base(links.publicUrl)}${code}`);
}

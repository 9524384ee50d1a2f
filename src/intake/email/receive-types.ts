import type { Level } from '../../domain/values.js';
import type { Logger } from '../../log.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { EmailIntakeSettings } from './settings.js';
import type { Moments } from './moments.js';

/** What receiving an email needs besides the email. */
export interface ReceiveDeps {
  tickets: TicketDeps;
  settings: EmailIntakeSettings;
  /** Lower-case addresses of the desk (MAIL_FROM's, every mailbox's): never requesters' watchers, never answered. */
  ourAddresses: readonly string[];
  /** The domain of MAIL_FROM: the mail sender writes `<uuid@domain>` Message-IDs. */
  ourDomain: string | null;
  /** When each email is recorded (moments.ts): one clock for every mailbox of the role. */
  moments: Moments;
  /** HELPDESK_REQUEST_ADDRESS, lower-case: a new email sent to it opens a service request (open-request.ts); unset: none. */
  requestAddress?: string;
  log: Logger;
}

/** The mailbox an email came from, and what it means for a new ticket. */
export interface MailboxRef {
  key: string;
  category: string | null;
  urgency: Level | null;
}

/**
 * Where a round's emails come from. A mailbox read by IMAP has a cursor: each email is claimed by its
 * UID under the mailbox's UIDVALIDITY, in the transaction that stores it, so that two readers never
 * both take it. Mail pushed by an MTA (LMTP/SMTP) has no UID and no cursor: the MTA holds it until it
 * is answered, and a redelivery is recognised by its Message-ID alone; its `uid`s are only its order
 * of arrival. A mailbox place may leave `kind` out (the IMAP reader's call predates pushed mail).
 */
export type Place = MailboxPlace | PushedPlace;

export interface MailboxPlace {
  kind?: 'mailbox';
  mailbox: MailboxRef;
  uidValidity: number;
}

export interface PushedPlace {
  kind: 'pushed';
  mailbox: MailboxRef;
}

export interface ReceiveInput {
  mailbox: MailboxRef;
  /** Its UID in the mailbox, with the UIDVALIDITY that gives the UID meaning: the cursor moves to it. */
  position?: { uid: number; uidValidity: number };
  raw: Buffer;
  /**
   * Set when the message was too large to download: its size, `raw` being its header section only.
   * It is still threaded or opens its ticket, and its sender is told it could not be read.
   */
  oversize?: number;
}

export type ReceiveOutcome =
  | { outcome: 'ticket'; ticketId: string; number: number }
  | { outcome: 'reply'; ticketId: string; capped: boolean }
  | { outcome: 'auto-reply'; ticketId: string }
  | { outcome: 'satisfaction'; ticketId: string; score: number }
  | { outcome: 'bounce'; matched: number }
  | { outcome: 'duplicate' }
  /** Opened no ticket and landed on none: filed as filtered mail (GET /api/filtered), `reason` its code. */
  | { outcome: 'filtered'; reason: string }
  | { outcome: 'quarantined'; reason: string }
  /** Another reader had moved the cursor past it already: nothing was written. */
  | { outcome: 'skipped' };

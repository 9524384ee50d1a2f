/**
 * The two outbound channels as the rest of the gateway sees them. Vendor SDKs stay in the adapters
 * next to this file; everything past them speaks these types.
 */

/** Our own delivery vocabulary; vendor statuses are mapped onto it at the edge. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'undelivered'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface OutboundSms {
  /** E.164 phone number. */
  to: string;
  body: string;
  /** Overrides the sender's default status callback URL for this one message. */
  statusCallback?: string;
}

export interface SmsSent {
  /** The vendor's message id (Twilio MessageSid), recorded as the message's externalId. */
  externalId: string;
  status: DeliveryStatus;
}

/** What a lookup of already-sent messages searches for. */
export interface SentSmsQuery {
  to: string;
  body: string;
  /** Only messages created at or after this instant. */
  since: Date;
}

export interface SmsSender {
  send(msg: OutboundSms): Promise<SmsSent>;
  /**
   * A message with this recipient and body created since `since`, or null when there is none. The
   * outbox asks before sending again after a send whose outcome it never learnt (a crash, a
   * timeout), so that the retry does not text the same person twice. Throws a SendError when the
   * vendor cannot tell; an adapter without it makes such rows fail as `OUTCOME_UNKNOWN`.
   */
  findSent?(query: SentSmsQuery): Promise<SmsSent | null>;
}

export interface OutboundMail {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  /**
   * `<uuid@domain>`, generated before sending (see createMessageId) so the outbox can record it
   * first: a reply that arrives before the send is acknowledged still threads onto the ticket.
   */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  /**
   * The SMTP recipients, when not every addressee of the header: a person's reply shows the
   * requester and the watchers, but each of them gets a copy of their own (one outbox row each).
   */
  envelopeTo?: string[];
  headers?: Record<string, string>;
}

export interface MailSent {
  /** The Message-ID the message went out with, angle brackets included. */
  messageId: string;
  /** Recipients the server refused while accepting the others (a bounce-to-be, worth recording). */
  rejected?: string[];
}

export interface MailTransport {
  send(mail: OutboundMail): Promise<MailSent>;
  /** Releases pooled connections; safe to call more than once. */
  close?(): Promise<void>;
}

export type SendErrorKind = 'transient' | 'permanent';

/**
 * What a channel throws when a message did not go out. `kind` is the only thing the queue needs:
 * transient errors are retried with backoff, permanent ones stop at once and are shown on the ticket.
 * `code` is ours (stable, for logs and the dead-letter view); `vendorCode` is the vendor's, for humans.
 */
export class SendError extends Error {
  readonly kind: SendErrorKind;
  readonly code: string;
  readonly vendorCode: string | number | undefined;

  constructor(
    kind: SendErrorKind,
    code: string,
    message: string,
    options: { vendorCode?: string | number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SendError';
    this.kind = kind;
    this.code = code;
    this.vendorCode = options.vendorCode;
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

export function isSendError(err: unknown): err is SendError {
  return err instanceof SendError;
}

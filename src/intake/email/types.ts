/**
 * The shape every pure email module agrees on: one inbound email as the desk sees it, with no trace of
 * mailparser's own types, so that the parser can change without touching the classifier or threading.
 */

export interface Address {
  /** Display name, decoded; null when the header carried none. */
  name: string | null;
  /** Lower-cased: requesters and watchers are matched by address, and case never tells two people apart. */
  address: string;
}

export interface EmailAttachment {
  /** As sent (RFC 2231 / RFC 2047 decoded), or `attachment-<n>.<ext>` when the part had none. */
  filename: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the decoded content. */
  sha256: string;
  content: Buffer;
  /** Content-ID without angle brackets, for `cid:` references in the HTML. */
  contentId: string | null;
  /** Shown in the body by the sender's client (inline disposition or part of multipart/related). */
  inline: boolean;
}

export type OmissionReason = 'attachment-too-large' | 'message-too-large';

export interface OmittedAttachment {
  filename: string;
  contentType: string;
  size: number;
  reason: OmissionReason;
}

/** The headers the classifier reads; names lower-case. */
export const CLASSIFIER_HEADERS = [
  'auto-submitted',
  'precedence',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'x-loop',
  'return-path',
] as const;
export type ClassifierHeader = (typeof CLASSIFIER_HEADERS)[number];

/** Every occurrence of each classifier header, top-most first, unfolded and trimmed. */
export type EmailHeaders = Partial<Record<ClassifierHeader, string[]>>;

/** A machine-readable part of a multipart/report (RFC 6522), as text. */
export interface ReportPart {
  /** e.g. `message/delivery-status`, `text/rfc822-headers`, `message/rfc822` (header section only). */
  contentType: string;
  text: string;
}

/**
 * Kept apart from the attachments so that the size limits never hide from the classifier which of our
 * messages a delivery report is about.
 */
export interface EmailReport {
  /** The `report-type` parameter, lower-case: `delivery-status`, `disposition-notification`, … */
  reportType: string;
  parts: ReportPart[];
}

export interface InboundEmail {
  /** RFC 5322 msg-id without angle brackets; synthesised from the raw bytes when the header is missing. */
  messageId: string;
  messageIdSynthesized: boolean;
  inReplyTo: string | null;
  /** Oldest first, as in the header (RFC 5322 §3.6.4). */
  references: string[];
  from: Address | null;
  replyTo: Address | null;
  to: Address[];
  cc: Address[];
  subject: string;
  /** Plain text, `\n` line ends; converted from the HTML when the message has no plain text. */
  text: string;
  html: string | null;
  date: Date | null;
  headers: EmailHeaders;
  attachments: EmailAttachment[];
  /** Attachments left out by the size limits; the requester is to be told about them. */
  omitted: OmittedAttachment[];
  /** Set when the message is a multipart/report (DSN, MDN, …). */
  report: EmailReport | null;
}

import { parseMessageIdList } from '../../mail/message-id.js';
import type { EmailReport } from './types.js';

/**
 * What a multipart/report (RFC 6522) says about one of our messages: a delivery status notification
 * (RFC 3464) or a message disposition notification (RFC 8098, "read receipts").
 */

export interface RecipientStatus {
  /** Final-Recipient without its address type, e.g. `bob@example.org`. */
  recipient: string | null;
  /** RFC 3464 §2.3.3: failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** RFC 3463 enhanced status code, e.g. `5.1.1`. */
  status: string | null;
}

export interface ReportSummary {
  kind: 'delivery-status' | 'disposition-notification' | 'feedback-report' | 'other';
  /** True only when a recipient did not get the message: delays, successes and read receipts are not failures. */
  failed: boolean;
  recipients: RecipientStatus[];
  /** MDN Disposition (RFC 8098 §3.2.6), e.g. `displayed`, `deleted`. */
  disposition: string | null;
  /** ARF Feedback-Type (RFC 5965 §3.1), e.g. `abuse`. */
  feedbackType: string | null;
  /** The Message-IDs of the message the report is about (ours, normally). */
  originalMessageIds: string[];
}

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MDN_TYPES = new Set(['message/disposition-notification', 'message/global-disposition-notification']);
const ARF_TYPE = 'message/feedback-report';

/**
 * RFC 3464 §2.3.3 knows failed, delayed, delivered, relayed and expanded: "delayed" means the MTA keeps trying,
 * so nothing failed yet. Some MTAs (and older drafts) say "expired" when they gave up retrying at the end of the
 * queue lifetime; the standard words that case as "failed" with status 4.4.7, so it is read as a failure too.
 */
const FAILED_ACTIONS = new Set(['failed', 'expired']);

export function summariseReport(report: EmailReport): ReportSummary {
  const kind = reportKind(report);
  const recipients: RecipientStatus[] = [];
  const ids: string[] = [];
  let disposition: string | null = null;
  let feedbackType: string | null = null;

  for (const part of report.parts) {
    const fields = parseFields(part.text);
    if (DSN_TYPES.has(part.contentType)) {
      recipients.push(...recipientStatuses(fields));
      ids.push(...idsOf(fields, 'original-message-id', 'x-original-message-id'));
    } else if (MDN_TYPES.has(part.contentType)) {
      ids.push(...idsOf(fields, 'original-message-id'));
      const value = fields.find((field) => field.name === 'disposition')?.value;
      // "automatic-action/MDN-sent-automatically; displayed": the disposition type follows the ";".
      if (value !== undefined) disposition = (value.split(';')[1] ?? value).trim().toLowerCase();
    } else if (part.contentType === ARF_TYPE) {
      feedbackType = fields.find((field) => field.name === 'feedback-type')?.value.toLowerCase() ?? null;
      // RFC 6650 §3: the original's Message-ID may also be repeated here by some feedback loops.
      ids.push(...idsOf(fields, 'original-message-id', 'message-id'));
    } else {
      // The returned message's own header section (text/rfc822-headers or message/rfc822).
      ids.push(...idsOf(fields, 'message-id'));
    }
  }

  const failed = kind === 'delivery-status' && (recipients.length === 0 || recipients.some((r) => FAILED_ACTIONS.has(r.action)));
  return { kind, failed, recipients, disposition, feedbackType, originalMessageIds: [...new Set(ids)] };
}

/** By report-type; by the parts it carries when a sender left the (required, RFC 6522 §3) parameter out. */
function reportKind(report: EmailReport): ReportSummary['kind'] {
  const type = report.reportType;
  if (type === 'delivery-status' || type === 'disposition-notification' || type === 'feedback-report') return type;
  if (type !== '') return 'other';
  if (report.parts.some((part) => DSN_TYPES.has(part.contentType))) return 'delivery-status';
  if (report.parts.some((part) => MDN_TYPES.has(part.contentType))) return 'disposition-notification';
  if (report.parts.some((part) => part.contentType === ARF_TYPE)) return 'feedback-report';
  return 'other';
}

/**
 * The Message-ID fields of a header section found in free text, e.g. a non-RFC 3464 bounce quoting our message
 * ("------ This is a copy of the message, including all the headers. ------" in Exim's, qmail's "--- Below this
 * line is a copy of the message."); some quote it indented, which is read too.
 */
export function messageIdsInText(text: string): string[] {
  return [...new Set(idsOf(parseFields(text.replace(/^[ \t>]+(?=[A-Za-z-]+:)/gm, '')), 'message-id'))];
}

/**
 * The addresses a free-text bounce says failed: Exim's indented line under "failed:", Postfix's and qmail's
 * `<bob@example.org>:` at the start of a line, Sendmail's and RFC 3464's `Final-Recipient: rfc822; …`.
 */
export function failedRecipientsInText(text: string): string[] {
  const found: string[] = [];
  const head = text.slice(0, 16 * 1024);
  for (const match of head.matchAll(/^[ \t]*<([^\s<>@]{1,64}@[^\s<>@]{1,255})>:?/gm)) found.push(match[1] ?? '');
  for (const match of head.matchAll(/^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s<>@]{1,64}@[^\s<>@]{1,255}?)>?\s*$/gim))
    found.push(match[1] ?? '');
  // Exim: "The following address(es) failed:"; Exchange's text part: "Delivery has failed to these recipients or groups:".
  const exim =
    /(?:following address(?:\(es\)|es)? failed|could not be delivered to|delivery has failed to these recipients(?: or groups)?)[^\n]*:[ \t]*\n+[ \t]*(?:[^\n<]*<)?([^\s<>@]{1,64}@[^\s<>@:]{1,255}?)>?[ \t]*(?:\n|\(|$)/i.exec(
      head,
    );
  if (exim?.[1] !== undefined) found.push(exim[1]);
  return [...new Set(found.map((address) => address.toLowerCase()).filter((address) => address !== ''))];
}

interface Field {
  name: string;
  value: string;
}

/**
 * Header-style fields (RFC 5322 §2.2, which RFC 3464 §2.1 and RFC 8098 §3.1 reuse): `Name: value`, with
 * continuation lines starting with white space. Lines that are not fields are skipped, so free text works too.
 */
function parseFields(text: string): Field[] {
  const fields: Field[] = [];
  let current: Field | null = null;
  for (const line of text.split('\n')) {
    if (current !== null && /^[ \t]/.test(line) && line.trim() !== '') {
      current.value = `${current.value} ${line.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9-]{1,76})[ \t]*:(.*)$/.exec(line);
    current = match === null ? null : { name: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() };
    if (current !== null) fields.push(current);
  }
  return fields;
}

function idsOf(fields: Field[], ...names: string[]): string[] {
  return fields.filter((field) => names.includes(field.name)).flatMap((field) => parseMessageIdList(field.value));
}

/** Per-recipient groups of a DSN (RFC 3464 §2.3): each starts at a Final-Recipient and carries an Action. */
function recipientStatuses(fields: Field[]): RecipientStatus[] {
  const out: RecipientStatus[] = [];
  let current: RecipientStatus | null = null;
  for (const field of fields) {
    if (field.name === 'final-recipient') {
      // "rfc822; bob@example.org": address-type ";" generic-address (RFC 3464 §2.3.2).
      current = { recipient: (field.value.split(';')[1] ?? field.value).trim() || null, action: '', status: null };
      out.push(current);
    } else if (field.name === 'action') {
      if (current === null) {
        current = { recipient: null, action: '', status: null };
        out.push(current);
      }
      current.action = field.value.split(/[\s(]/)[0]?.toLowerCase() ?? '';
    } else if (field.name === 'status' && current !== null) {
      current.status = field.value.split(/[\s(]/)[0] ?? null;
    }
  }
  return out.filter((r) => r.action !== '');
}

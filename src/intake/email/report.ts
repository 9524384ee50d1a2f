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
  kind: 'delivery-status' | 'disposition-notification' | 'other';
  /** True only when a recipient did not get the message: delays, successes and read receipts are not failures. */
  failed: boolean;
  recipients: RecipientStatus[];
  /** MDN Disposition (RFC 8098 §3.2.6), e.g. `displayed`, `deleted`. */
  disposition: string | null;
  /** The Message-IDs of the message the report is about (ours, normally). */
  originalMessageIds: string[];
}

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MDN_TYPES = new Set(['message/disposition-notification', 'message/global-disposition-notification']);

export function summariseReport(report: EmailReport): ReportSummary {
  const kind = reportKind(report);
  const recipients: RecipientStatus[] = [];
  const ids: string[] = [];
  let disposition: string | null = null;

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
    } else {
      // The returned message's own header section (text/rfc822-headers or message/rfc822).
      ids.push(...idsOf(fields, 'message-id'));
    }
  }

  const failed = kind === 'delivery-status' && (recipients.length === 0 || recipients.some((r) => r.action === 'failed'));
  return { kind, failed, recipients, disposition, originalMessageIds: [...new Set(ids)] };
}

/** By report-type; by the parts it carries when a sender left the (required, RFC 6522 §3) parameter out. */
function reportKind(report: EmailReport): ReportSummary['kind'] {
  if (report.reportType === 'delivery-status' || report.reportType === 'disposition-notification') return report.reportType;
  if (report.reportType !== '') return 'other';
  if (report.parts.some((part) => DSN_TYPES.has(part.contentType))) return 'delivery-status';
  if (report.parts.some((part) => MDN_TYPES.has(part.contentType))) return 'disposition-notification';
  return 'other';
}

/** The Message-ID fields of a header section found in free text, e.g. a non-RFC 3464 bounce quoting our message. */
export function messageIdsInText(text: string): string[] {
  return [...new Set(idsOf(parseFields(text), 'message-id'))];
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

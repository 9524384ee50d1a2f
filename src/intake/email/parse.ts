import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail } from 'mailparser';
import { repairRawHeaders } from './charset.js';
import { decodeFlowed, hideFlowed } from './flowed.js';
import { htmlToText } from './html-text.js';
import { normaliseMessageId, parseMessageIdList, synthesizeMessageId } from '../../mail/message-id.js';
import { cutFlat, cutParts } from './salvage.js';
import { spacedAngleAddress } from '../../mail/addresses.js';
import {
  CLASSIFIER_HEADERS,
  type Address,
  type EmailAttachment,
  type EmailHeaders,
  type EmailReport,
  type InboundEmail,
  type OmittedAttachment,
} from './types.js';

/**
 * Raw RFC 5322 bytes → InboundEmail, with mailparser (the one file that knows it).
 *
 * Malformed mail is parsed on a best-effort basis: broken MIME boundaries, a truncated body, bad base64,
 * unknown charsets, raw 8-bit headers or an unreadable Date still give an email (what could be read), because
 * a requester's problem should not be lost to their client's bugs. A message mailparser refuses (too many
 * parts, a header section too large) is read again cut down to what it can take (salvage.ts), what was cut
 * being listed as left out. Only bytes that are not an email at all (empty, or no RFC 5322 header in the
 * header section), or that mailparser fails on even then, throw EmailParseError, which the caller
 * quarantines.
 */

export interface ParseLimits {
  /** An attachment larger than this is left out. */
  maxAttachmentBytes: number;
  /** Attachments are kept, in message order, while their sum stays within this; the others are left out. */
  maxMessageBytes: number;
}

export type EmailParseFailure = 'empty' | 'not-an-email' | 'parser-failed';

export class EmailParseError extends Error {
  readonly reason: EmailParseFailure;

  constructor(reason: EmailParseFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmailParseError';
    this.reason = reason;
  }
}

const PARSER_OPTIONS = {
  // delivery-status parts stay parts (mailparser would otherwise paste them into the text).
  keepDeliveryStatus: true,
  // We convert HTML ourselves, once, with our options, whether or not the HTML is the root part.
  skipHtmlToText: true,
  // textAsHtml and its linkifier are unused here and are the costliest, most ReDoS-prone step.
  skipTextToHtml: true,
  skipTextLinks: true,
  keepCidLinks: true,
  checksumAlgo: 'sha256',
};

/** A header section with none of these is not an email (RFC 5322 §3.6 origination and trace fields). */
const KNOWN_HEADERS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'received',
  'return-path',
  'delivered-to',
  'mime-version',
  'content-type',
]);

/** Machine-readable parts of RFC 6522 reports: DSN (RFC 3464), MDN (RFC 8098), and their EAI forms (RFC 6533). */
const REPORT_PART_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'message/disposition-notification',
  'message/global-disposition-notification',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global-headers',
  'message/rfc822',
  'message/global',
  'message/feedback-report',
]);
const MAX_REPORT_PART_CHARS = 64 * 1024;

export async function parseEmail(raw: Buffer, limits: ParseLimits): Promise<InboundEmail> {
  if (isBlank(raw)) {
    throw new EmailParseError('empty', 'the message is empty');
  }
  // RFC 3676 text is decoded here, not by mailparser, which glues quoted lines of different depths (flowed.ts).
  const { raw: unflowed, flowed } = hideFlowed(repairRawHeaders(raw));
  const { parsed, flatBody, salvaged } = await readMime(unflowed);
  const headerLines = parsed.headerLines ?? [];
  if (!headerLines.some((line) => KNOWN_HEADERS.has(line.key))) {
    throw new EmailParseError('not-an-email', 'no RFC 5322 header (From, Date, Message-ID, …) in the header section');
  }

  const messageIdHeader = headerValues(headerLines, 'message-id')[0];
  const messageId = messageIdHeader === undefined ? null : normaliseMessageId(messageIdHeader);
  const html = typeof parsed.html === 'string' && parsed.html.trim() !== '' ? parsed.html : null;
  const text = normaliseNewlines(flatBody ?? parsed.text ?? '');
  const plain = flowed === null || flatBody !== null ? text : decodeFlowed(text, flowed);
  const { attachments, omitted } = applyLimits(parsed.attachments, limits);
  const from = sender(headerLines, parsed.from);
  if (salvaged) keepOriginal(raw, { attachments, omitted }, limits);

  return {
    messageId: messageId ?? synthesizeMessageId(raw),
    messageIdSynthesized: messageId === null,
    inReplyTo: parseMessageIdList(headerValues(headerLines, 'in-reply-to').join(' '))[0] ?? null,
    references: parseMessageIdList(headerValues(headerLines, 'references').join(' ')),
    from,
    replyTo: addresses(parsed.replyTo)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: (parsed.subject ?? '').replace(/[\r\n\t]+/g, ' ').trim(),
    text: plain.trim() === '' && html !== null ? normaliseNewlines(htmlToText(html)) : plain,
    html,
    date: parseDate(headerValues(headerLines, 'date')[0]),
    headers: classifierHeaders(headerLines, from),
    attachments,
    omitted,
    report: readReport(headerLines, parsed.attachments),
  };
}

/**
 * mailparser's reading of the message; when it refuses the whole (EMAXLEN: over 1,000 parts, a header
 * section over 1 MB), of the message cut down (salvage.ts): its first parts, else its header section with
 * the body as flat text. `salvaged`: what was read is not all there was.
 */
async function readMime(raw: Buffer): Promise<{ parsed: ParsedMail; flatBody: string | null; salvaged: boolean }> {
  let failure: unknown;
  try {
    return { parsed: await simpleParser(raw, PARSER_OPTIONS), flatBody: null, salvaged: false };
  } catch (err) {
    failure = err;
  }
  try {
    return { parsed: await simpleParser(cutParts(raw), PARSER_OPTIONS), flatBody: null, salvaged: true };
  } catch {
    // Even its first parts are too much for mailparser: the flat reading below.
  }
  try {
    const flat = cutFlat(raw);
    return { parsed: await simpleParser(flat.headers, PARSER_OPTIONS), flatBody: flat.body, salvaged: true };
  } catch {
    const detail = failure instanceof Error ? failure.message : String(failure);
    throw new EmailParseError('parser-failed', `mailparser could not parse the message: ${detail}`, { cause: failure });
  }
}

type HeaderLines = ParsedMail['headerLines'];

/**
 * Unfolded values (RFC 5322 §2.2.3) of every occurrence of a header, top-most first. mailparser keeps
 * header lines as one character per byte; after repairRawHeaders those bytes are UTF-8 (RFC 6532).
 */
function headerValues(lines: HeaderLines, key: string): string[] {
  return lines
    .filter((line) => line.key === key)
    .map((line) => {
      const value = line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
      return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
    });
}

/** The classifier's headers are a word or an address; a longer value is cut (RFC 5322 §2.1.1's line limit). */
const MAX_CLASSIFIER_VALUE = 998;

function classifierHeaders(lines: HeaderLines, from: Address | null): EmailHeaders {
  const headers: EmailHeaders = {};
  for (const name of CLASSIFIER_HEADERS) {
    // The raw From only matters when it gave no address (`MAILER-DAEMON <>`): the classifier reads it then.
    if (name === 'from' && from !== null) continue;
    const values = headerValues(lines, name).map((value) => value.slice(0, MAX_CLASSIFIER_VALUE));
    if (values.length > 0) headers[name] = values;
  }
  return headers;
}

/** mailparser replaces an unreadable Date with "now", which would lie; we say we do not know. */
function parseDate(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A longer address cannot be delivered to (RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its
 * angle brackets) and would not fit an index entry of the store: it is no address.
 */
const MAX_ADDRESS = 254;

function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  if (field === undefined) return [];
  const out: Address[] = [];
  const visit = (entry: EmailAddress): void => {
    if (entry.group !== undefined) {
      entry.group.forEach(visit);
      return;
    }
    const address = (entry.address ?? '').trim().toLowerCase();
    if (!address.includes('@') || address.length > MAX_ADDRESS) return;
    const name = entry.name.trim();
    out.push({ name: name === '' ? null : name, address });
  };
  for (const object of Array.isArray(field) ? field : [field]) object.value.forEach(visit);
  return out;
}

/** The From mailbox; one with spaces in its angle address kept whole (see spacedAngleAddress). */
function sender(lines: HeaderLines, parsed: AddressObject | AddressObject[] | undefined): Address | null {
  const raw = headerValues(lines, 'from')[0];
  const spaced = raw === undefined ? null : spacedAngleAddress(raw);
  if (spaced !== null && spaced.address.length <= MAX_ADDRESS) return spaced;
  return addresses(parsed)[0] ?? null;
}

function applyLimits(parts: Attachment[], limits: ParseLimits): { attachments: EmailAttachment[]; omitted: OmittedAttachment[] } {
  const attachments: EmailAttachment[] = [];
  const omitted: OmittedAttachment[] = [];
  let total = 0;
  parts.forEach((part, index) => {
    const contentType = partType(part);
    const filename = part.filename ?? fallbackFilename(index, contentType);
    const size = part.content.length;
    if (size > limits.maxAttachmentBytes) {
      omitted.push({ filename, contentType, size, reason: 'attachment-too-large' });
    } else if (total + size > limits.maxMessageBytes) {
      omitted.push({ filename, contentType, size, reason: 'message-too-large' });
    } else {
      total += size;
      attachments.push({
        filename,
        contentType,
        size,
        sha256: part.checksum,
        content: part.content,
        contentId: part.cid ?? null,
        inline: part.contentDisposition === 'inline' || part.related === true,
      });
    }
  });
  return { attachments, omitted };
}

/**
 * A message read only in part keeps its whole self as an attachment, so that nothing it carried is lost
 * to the technician; the size limits apply to it as to any attachment (then the requester is told).
 */
function keepOriginal(raw: Buffer, kept: { attachments: EmailAttachment[]; omitted: OmittedAttachment[] }, limits: ParseLimits): void {
  const original = { filename: 'original-message.eml', contentType: 'message/rfc822', size: raw.length };
  const total = kept.attachments.reduce((sum, a) => sum + a.size, 0);
  if (raw.length > limits.maxAttachmentBytes) kept.omitted.push({ ...original, reason: 'attachment-too-large' });
  else if (total + raw.length > limits.maxMessageBytes) kept.omitted.push({ ...original, reason: 'message-too-large' });
  else {
    const sha256 = createHash('sha256').update(raw).digest('hex');
    kept.attachments.push({ ...original, sha256, content: raw, contentId: null, inline: false });
  }
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'message/disposition-notification': 'txt',
  'text/rfc822-headers': 'txt',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

/**
 * An empty or missing Content-Type on a part (seen from scanners' "sanitised" attachments) leaves mailparser's
 * contentType unset: RFC 2046 §4.5.1 says to treat unknown content as application/octet-stream, and the
 * rest of the email is still the requester's problem, so it is read as that instead of quarantining the mail.
 */
function partType(part: Attachment): string {
  const type: unknown = part.contentType;
  return typeof type === 'string' && type.trim() !== '' ? type.trim().toLowerCase() : 'application/octet-stream';
}

function fallbackFilename(index: number, contentType: string): string {
  return `attachment-${index + 1}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
}

function readReport(lines: HeaderLines, parts: Attachment[]): EmailReport | null {
  const contentType = headerValues(lines, 'content-type')[0] ?? '';
  let reportType = /report-type\s*=\s*"?([A-Za-z0-9._-]{1,64})/i.exec(contentType)?.[1]?.toLowerCase() ?? '';
  if (!/^\s*multipart\/report\b/i.test(contentType)) {
    // Some feedback loops (RFC 5965 ARF) send the report as multipart/mixed: its machine-readable
    // message/feedback-report part says what it is all the same. A mixed message with only a
    // message/rfc822 part is a forward, not a report.
    if (!parts.some((part) => partType(part) === 'message/feedback-report')) return null;
    reportType = 'feedback-report';
  }
  return {
    reportType,
    parts: parts
      .filter((part) => REPORT_PART_TYPES.has(partType(part)))
      .map((part) => {
        const type = partType(part);
        let text = normaliseNewlines(part.content.subarray(0, MAX_REPORT_PART_CHARS * 4).toString('utf8'));
        // A returned message (RFC 3462 allows the whole of it): only its header section says which one it was.
        if (type === 'message/rfc822' || type === 'message/global') text = text.split(/\n\n/, 1)[0] ?? '';
        return { contentType: type, text: text.slice(0, MAX_REPORT_PART_CHARS) };
      }),
  };
}

function isBlank(raw: Buffer): boolean {
  for (const byte of raw) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

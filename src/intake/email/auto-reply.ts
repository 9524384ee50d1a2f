import { isNoReplyAddress } from '../../mail/addresses.js';
import { parseMessageIdList } from '../../mail/message-id.js';
import { autoReplySubject, bounceBody, bounceSubject, listRefusal, saysDelay } from './classify-signs.js';
import { failedRecipientsInText, messageIdsInText, summariseReport } from './report.js';
import type { ClassifierHeader, InboundEmail } from './types.js';

/**
 * Is this email from a person, or from a machine we must never answer? Answering a machine is how mail
 * loops and autoresponder storms start (RFC 3834 §2), so the rules are deliberately broad; each match says
 * why, in words a technician can read in the ticket's events.
 *
 * Order: loops first (our own mail back: drop it), then bounces and reports (they update one of our outbound
 * messages), then auto-replies (recorded on a ticket, never answered). Within each, the structure first
 * (RFC 3464 / 5965 / 8098 reports, RFC 3834 headers, the null sender), then the vendors' headers, and the
 * subject and first lines (classify-signs.ts) only as the last resort.
 */

export type EmailClass =
  | { kind: 'human' }
  | { kind: 'auto-reply'; reason: string }
  /** `failed` false: a delay warning, a success report or a read receipt; no outbound message failed. */
  | { kind: 'bounce'; reason: string; originalMessageIds: string[]; failed: boolean }
  | { kind: 'loop'; reason: string };

export interface ClassifyOptions {
  /** Our own addresses (the mailboxes we read, MAIL_FROM): X-Loop or a From naming one of them is our loop. */
  ourAddresses?: readonly string[];
  /** Our own domains: an X-Loop naming any address there is ours too. */
  ourDomains?: readonly string[];
  /** The right-hand end of the Message-IDs we generate, e.g. `@helpdesk.acme.example`. */
  ourMessageIdSuffix?: string;
  /** Takes precedence over ourMessageIdSuffix. */
  isOurMessageId?: (id: string) => boolean;
}

export type ClassifiableEmail = Pick<InboundEmail, 'messageId' | 'inReplyTo' | 'references' | 'from' | 'headers' | 'text' | 'report'> &
  Partial<Pick<InboundEmail, 'subject' | 'attachments'>>;

export function classifyEmail(email: ClassifiableEmail, options: ClassifyOptions = {}): EmailClass {
  return loop(email, options) ?? bounce(email) ?? autoReply(email) ?? { kind: 'human' };
}

function loop(email: ClassifiableEmail, options: ClassifyOptions): EmailClass | null {
  const ours = ourMessageId(options);
  if (ours(email.messageId)) {
    return { kind: 'loop', reason: `its Message-ID <${email.messageId}> is one we generated: our own message came back` };
  }
  const addresses = (options.ourAddresses ?? []).map((a) => a.toLowerCase());
  const domains = (options.ourDomains ?? []).map((d) => d.toLowerCase().replace(/^@/, ''));
  for (const value of header(email, 'x-loop')) {
    const named = value.toLowerCase().match(/[^\s<>,;"()]{1,64}@[^\s<>,;"()]{1,255}/g) ?? [];
    if (named.some((a) => addresses.includes(a) || domains.includes(a.slice(a.lastIndexOf('@') + 1)))) {
      return { kind: 'loop', reason: `X-Loop: ${value} names us: this message already went through the desk` };
    }
  }
  const from = email.from?.address;
  if (from !== undefined && addresses.includes(from)) {
    return { kind: 'loop', reason: `it comes from our own address ${from}` };
  }
  return null;
}

function bounce(email: ClassifiableEmail): EmailClass | null {
  if (email.report !== null) return report(email, email.report);
  const local = email.from?.address.split('@')[0] ?? '';
  if (MAIL_SYSTEM.test(local)) {
    // A bounce in free text (qmail, old Exchange): the returned message's Message-ID is quoted in the body.
    return freeTextBounce(email, `sent by ${email.from?.address ?? local}, a mail system`);
  }
  const nullSender = nullFrom(email);
  if (nullSender !== null) return freeTextBounce(email, `sent by ${nullSender}, a mail system with no address`);
  // Exim and osTicket's rule: only a mail system sets X-Failed-Recipients.
  const failedHeader = header(email, 'x-failed-recipients')[0];
  if (failedHeader !== undefined) return freeTextBounce(email, `X-Failed-Recipients: ${failedHeader}`);
  // Words alone are weak ("Delivery report for March" is a person's subject): the subject or the notice
  // counts with one more sign of a machine answering one of our messages.
  const subject = bounceSubject(email.subject ?? '');
  const body = bounceBody(email.text);
  const answers = email.inReplyTo !== null || returnedMessageIds(email).length > 0;
  const machine = nullReturnPath(email) || (email.from !== null && isNoReplyAddress(email.from.address));
  if (subject !== null && (answers || machine || body !== null)) return freeTextBounce(email, `a mail system's subject "${subject}"`);
  if (body !== null && (answers || machine)) return freeTextBounce(email, `a mail system's notice "${body}"`);
  return null;
}

/** Mail systems' own local parts (RFC 5321 §4.5.1 postmaster, the MAILER-DAEMON of Sendmail, Postfix, Exim). */
const MAIL_SYSTEM = /^(mailer-daemon|mail-daemon|mailerdaemon|postmaster|post_master|mailer_daemon)$/;

function report(email: ClassifiableEmail, reportPart: NonNullable<ClassifiableEmail['report']>): EmailClass {
  const summary = summariseReport(reportPart);
  const ids = summary.originalMessageIds;
  if (summary.kind === 'delivery-status') {
    const statuses = summary.recipients
      .map((r) => `${r.action} for ${r.recipient ?? 'an unnamed recipient'}${r.status === null ? '' : ` (${r.status})`}`)
      .join(', ');
    const what = statuses === '' ? 'no recipient status, taken as failed' : statuses;
    const reason = `delivery status notification (RFC 3464): ${what}`;
    return { kind: 'bounce', reason, originalMessageIds: ids.length > 0 ? ids : returnedMessageIds(email), failed: summary.failed };
  }
  if (summary.kind === 'disposition-notification') {
    const reason = `message disposition notification (RFC 8098, read receipt): ${summary.disposition ?? 'no disposition'}`;
    return { kind: 'bounce', reason, originalMessageIds: ids, failed: false };
  }
  // An abuse or feedback-loop complaint (RFC 5965) about a message: a machine wrote it, nobody to answer.
  if (summary.kind === 'feedback-report' && summary.feedbackType !== null) {
    return { kind: 'auto-reply', reason: `feedback report (RFC 5965 ARF): Feedback-Type: ${summary.feedbackType}` };
  }
  const type = reportPart.reportType === '' ? 'without report-type' : `report-type=${reportPart.reportType}`;
  return { kind: 'auto-reply', reason: `multipart/report (RFC 6522) ${type}` };
}

/** A bounce told by its sender, headers or words: it names the failed addresses when it can. */
function freeTextBounce(email: ClassifiableEmail, sign: string): EmailClass {
  const failed = !isDelay(email);
  const recipients = [
    ...new Set([
      ...header(email, 'x-failed-recipients').flatMap((v) => v.toLowerCase().split(/[\s,]+/)),
      ...failedRecipientsInText(email.text),
    ]),
  ].filter((address) => address.includes('@'));
  const named = recipients.length === 0 ? '' : `: ${failed ? 'failed' : 'delayed'} for ${recipients.join(', ')}`;
  return {
    kind: 'bounce',
    reason: `${sign}, without a delivery status report${named}`,
    originalMessageIds: returnedMessageIds(email),
    failed,
  };
}

/** "Delivery Status Notification (Delay)", "Warning: message delayed": a report about our message, nothing failed. */
function isDelay(email: ClassifiableEmail): boolean {
  return saysDelay(email.subject ?? '') || saysDelay(email.text.slice(0, 600));
}

/**
 * `From: <>`, `From: MAILER-DAEMON` (no domain), `MAILER-DAEMON <>`, `Mail Delivery Subsystem <MAILER-DAEMON>`:
 * senders the address parser gives no address for, which only mail systems write. Null otherwise.
 */
function nullFrom(email: ClassifiableEmail): string | null {
  if (email.from !== null) return null;
  const raw = header(email, 'from')[0];
  if (raw === undefined) return null;
  const value = raw.replace(COMMENT, ' ').trim();
  if (/^<\s*>$/.test(value) || /<\s*>\s*$/.test(value)) return `"${raw}" (the null sender, RFC 5321 §4.5.5)`;
  const angle = /<([^<>]*)>\s*$/.exec(value)?.[1]?.trim() ?? value;
  if (MAIL_SYSTEM.test(angle.toLowerCase()) || /mail delivery (sub)?system|mailer-daemon/i.test(value)) return `"${raw}"`;
  return null;
}

function nullReturnPath(email: ClassifiableEmail): boolean {
  const returnPath = header(email, 'return-path')[0];
  return returnPath !== undefined && /^<?\s*>?$/.test(returnPath.replace(COMMENT, '').trim());
}

/**
 * Which of our messages came back, wherever the bounce carries it: a returned message/rfc822 or
 * text/rfc822-headers part, a header block quoted in the text, X-Original-Message-ID, else the thread headers.
 */
function returnedMessageIds(email: ClassifiableEmail): string[] {
  const returned = (email.attachments ?? [])
    .filter((a) => RETURNED_TYPES.has(a.contentType))
    .flatMap((a) =>
      messageIdsInText(
        a.content
          .subarray(0, 64 * 1024)
          .toString('utf8')
          .replace(/\r\n?/g, '\n')
          .split('\n\n', 1)[0] ?? '',
      ),
    );
  const quoted = messageIdsInText(email.text);
  const original = header(email, 'x-original-message-id').flatMap((value) => parseMessageIdList(value));
  const found = [...returned, ...quoted, ...original];
  const threaded = [...(email.inReplyTo === null ? [] : [email.inReplyTo]), ...email.references];
  return [...new Set(found.length > 0 ? found : threaded)];
}

const RETURNED_TYPES = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global',
  'message/global-headers',
]);

function autoReply(email: ClassifiableEmail): EmailClass | null {
  // RFC 3834 §5: any Auto-Submitted value other than "no" marks an automatic message.
  const autoSubmitted = header(email, 'auto-submitted')[0];
  if (autoSubmitted !== undefined && keyword(autoSubmitted) !== 'no') {
    return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted} (RFC 3834)` };
  }
  // [MS-OXCMAIL] §2.2.3.2.20: Exchange and Outlook put this on the automatic messages they send (OOF, rules);
  // values that only ask to suppress receipts (DR, NDR, RN, NRN) are set on ordinary mail too.
  const suppress = header(email, 'x-auto-response-suppress')[0];
  if (suppress !== undefined && /(^|[\s,])(all|oof|autoreply)($|[\s,])/i.test(suppress)) {
    return { kind: 'auto-reply', reason: `X-Auto-Response-Suppress: ${suppress} (Exchange automatic message)` };
  }
  const xAutoreply = header(email, 'x-autoreply')[0];
  if (xAutoreply !== undefined && !/^(no|false|0)$/i.test(xAutoreply)) {
    return { kind: 'auto-reply', reason: `X-Autoreply: ${xAutoreply}` };
  }
  const xAutorespond = header(email, 'x-autorespond')[0];
  if (xAutorespond !== undefined) {
    return { kind: 'auto-reply', reason: `X-Autorespond: ${xAutorespond}` };
  }
  // osTicket's rules: X-Autogenerated (Reply, Forward, Redirect, Mirror, Group: old Exchange and Domino) and
  // X-Precedence: auto_reply.
  const generated = header(email, 'x-autogenerated')[0];
  if (generated !== undefined) return { kind: 'auto-reply', reason: `X-Autogenerated: ${generated}` };
  const xPrecedence = header(email, 'x-precedence')[0];
  if (xPrecedence !== undefined && /^(bulk|junk|list|auto_reply)$/.test(keyword(xPrecedence))) {
    return { kind: 'auto-reply', reason: `X-Precedence: ${xPrecedence}` };
  }
  // Apple's iCloud vacation responder sets only this (no Auto-Submitted).
  const apple = header(email, 'x-apple-action')[0];
  if (apple !== undefined && /vacation/i.test(apple))
    return { kind: 'auto-reply', reason: `X-Apple-Action: ${apple} (iCloud vacation reply)` };
  // Not a standard, but the oldest convention (RFC 2076 §3.9; RFC 3834 §3.1.8 asks responders to honour it).
  const precedence = header(email, 'precedence')[0];
  if (precedence !== undefined && /^(bulk|junk|list|auto_reply)$/.test(keyword(precedence))) {
    return { kind: 'auto-reply', reason: `Precedence: ${precedence}` };
  }
  // The null reverse-path (RFC 5321 §4.5.5) is for notifications that must not be answered.
  if (nullReturnPath(email)) {
    return { kind: 'auto-reply', reason: 'empty Return-Path <> (RFC 5321 null sender: a notification)' };
  }
  // RFC 2369 / RFC 2919: a list manager sent or relayed it (a post, or its "you are not a member" refusal).
  const list = header(email, 'list-id')[0] ?? header(email, 'list-unsubscribe')[0];
  if (list !== undefined) {
    const refusal = listRefusal(email.text);
    return {
      kind: 'auto-reply',
      reason: refusal === null ? `mailing list mail (List-* headers: ${list})` : `mailing list manager's error "${refusal}"`,
    };
  }
  const subject = autoReplySubject(email.subject ?? '');
  if (subject !== null) return { kind: 'auto-reply', reason: `an automatic reply's subject "${subject}"` };
  // Cloud providers' notifications (SNS, monitoring hooks): a JSON document from an address nobody reads.
  // A no-reply sender alone is not enough: monitoring alerts from no-reply@ are the desk's work.
  const from = email.from?.address;
  if (from !== undefined && isNoReplyAddress(from) && /^\s*[[{]/.test(email.text) && looksLikeJson(email.text)) {
    return { kind: 'auto-reply', reason: `a machine notification (JSON) from the no-reply address ${from}` };
  }
  return null;
}

function ourMessageId(options: ClassifyOptions): (id: string) => boolean {
  if (options.isOurMessageId !== undefined) return options.isOurMessageId;
  const suffix = options.ourMessageIdSuffix?.toLowerCase();
  if (suffix === undefined || suffix === '') return () => false;
  return (id) => id.toLowerCase().endsWith(suffix);
}

function header(email: ClassifiableEmail, name: ClassifierHeader): string[] {
  return email.headers[name] ?? [];
}

/**
 * An RFC 5322 comment without nested parentheses. `\(.*?\)` would rescan the rest of the value from
 * every "(" when none closes (quadratic on a header of opening parentheses).
 */
const COMMENT = /\([^()]*\)/g;

/** The first word of a structured value, without comments: "auto-replied (vacation)" → "auto-replied". */
function keyword(value: string): string {
  return value.replace(COMMENT, ' ').trim().split(/[\s;]/)[0]?.toLowerCase() ?? '';
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text.trim().slice(0, 256 * 1024));
    return true;
  } catch {
    return false;
  }
}

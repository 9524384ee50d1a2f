import { messageIdsInText, summariseReport } from './report.js';
import type { ClassifierHeader, InboundEmail } from './types.js';

/**
 * Is this email from a person, or from a machine we must never answer? Answering a machine is how mail
 * loops and autoresponder storms start (RFC 3834 §2), so the rules are deliberately broad; each match says
 * why, in words a technician can read in the ticket's events.
 *
 * Order: loops first (our own mail back: drop it), then bounces and reports (they update one of our outbound
 * messages), then auto-replies (recorded on a ticket, never answered).
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

export type ClassifiableEmail = Pick<InboundEmail, 'messageId' | 'inReplyTo' | 'references' | 'from' | 'headers' | 'text' | 'report'>;

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
  if (email.report !== null) {
    const summary = summariseReport(email.report);
    const ids = summary.originalMessageIds;
    if (summary.kind === 'delivery-status') {
      const statuses = summary.recipients
        .map((r) => `${r.action} for ${r.recipient ?? 'an unnamed recipient'}${r.status === null ? '' : ` (${r.status})`}`)
        .join(', ');
      const what = statuses === '' ? 'no recipient status, taken as failed' : statuses;
      const reason = `delivery status notification (RFC 3464): ${what}`;
      return { kind: 'bounce', reason, originalMessageIds: ids, failed: summary.failed };
    }
    if (summary.kind === 'disposition-notification') {
      const reason = `message disposition notification (RFC 8098, read receipt): ${summary.disposition ?? 'no disposition'}`;
      return { kind: 'bounce', reason, originalMessageIds: ids, failed: false };
    }
    const type = email.report.reportType === '' ? 'without report-type' : `report-type=${email.report.reportType}`;
    return { kind: 'auto-reply', reason: `multipart/report (RFC 6522) ${type}` };
  }
  const local = email.from?.address.split('@')[0] ?? '';
  if (/^(mailer-daemon|mail-daemon|mailerdaemon|postmaster)$/.test(local)) {
    // A bounce in free text (qmail, old Exchange): the returned message's Message-ID is quoted in the body.
    const quoted = messageIdsInText(email.text);
    const threaded = [...(email.inReplyTo === null ? [] : [email.inReplyTo]), ...email.references];
    const ids = quoted.length > 0 ? quoted : threaded;
    return {
      kind: 'bounce',
      reason: `sent by ${email.from?.address ?? local}, a mail system, without a delivery status report`,
      originalMessageIds: [...new Set(ids)],
      failed: true,
    };
  }
  return null;
}

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
  // Not a standard, but the oldest convention (RFC 2076 §3.9; RFC 3834 §3.1.8 asks responders to honour it).
  const precedence = header(email, 'precedence')[0];
  if (precedence !== undefined && /^(bulk|junk|list|auto_reply)$/.test(keyword(precedence))) {
    return { kind: 'auto-reply', reason: `Precedence: ${precedence}` };
  }
  // The null reverse-path (RFC 5321 §4.5.5) is for notifications that must not be answered.
  const returnPath = header(email, 'return-path')[0];
  if (returnPath !== undefined && /^<?\s*>?$/.test(returnPath.replace(COMMENT, '').trim())) {
    return { kind: 'auto-reply', reason: 'empty Return-Path <> (RFC 5321 null sender: a notification)' };
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

import { classifyEmail } from '../../../src/intake/email/auto-reply.js';
import { parseEmail } from '../../../src/intake/email/parse.js';
import { repairRawHeaders } from '../../../src/intake/email/charset.js';
import { guessLanguage, urgencyFromHeaders } from '../../../src/intake/email/hints.js';
import { htmlToText } from '../../../src/intake/email/html-text.js';
import { isNoReplyAddress } from '../../../src/mail/addresses.js';
import { parseMessageIdList } from '../../../src/mail/message-id.js';
import { splitReply } from '../../../src/intake/email/quoted.js';
import { surveyDigit } from '../../../src/intake/email/survey.js';
import { messageIdsInText, summariseReport } from '../../../src/intake/email/report.js';
import { cleanSubject, subjectTicketNumber } from '../../../src/intake/email/thread.js';
import { parseTechnicianCommand } from '../../../src/intake/twilio/technician-commands.js';
import { fitSms, gsm7Length } from '../../../src/intake/twilio/sms-text.js';
import { isThanks } from '../../../src/intake/twilio/thanks.js';
import { surveyScore } from '../../../src/intake/twilio/requester-texts.js';
import { concerns } from '../../../src/rules/outage-relevance.js';
import { scoreCategory } from '../../../src/rules/categorize.js';
import { assessTicket, DEFAULT_PRIORITY_KEYWORDS } from '../../../src/rules/priority.js';
import { findKeywords, keywordMatcher, normalizeText, removeKeywords } from '../../../src/rules/text.js';
import { storableText } from '../../../src/text/storable.js';

/**
 * Every path that reads text from outside, each given one hostile text. Kept apart from the test so
 * that a child process can run them (a super-linear path blocks its thread: only a process can be
 * stopped from outside).
 */

const LIMITS = { maxAttachmentBytes: 10 * 1024 * 1024, maxMessageBytes: 25 * 1024 * 1024 };
const HEAD = 'From: Ann <ann@acme.example>\r\nTo: desk@desk.example\r\nMessage-ID: <h@acme.example>\r\nMIME-Version: 1.0\r\n';

const email = (body: string, type = 'text/plain') =>
  Buffer.from(`${HEAD}Subject: hostile\r\nContent-Type: ${type}; charset=utf-8\r\n\r\n${body}\r\n`);
/** As a header value: folded where it has line breaks, so that it stays one field. */
const header = (name: string, value: string) => Buffer.from(`${HEAD}${name}: ${value.replace(/\r?\n/g, '\r\n ')}\r\n\r\nbody\r\n`);

export const PATHS: Record<string, (text: string) => unknown> = {
  'category (scoreCategory)': (t) => scoreCategory(t),
  'priority keywords (assessTicket)': (t) => assessTicket({ subject: t.slice(0, 500), description: t }),
  normalizeText: (t) => normalizeText(t),
  'keywordMatcher on normalized text': (t) => {
    const normalized = normalizeText(t);
    return [keywordMatcher('ne peux pas travailler').test(normalized), keywordMatcher('bloqu*').match(normalized)];
  },
  'findKeywords / removeKeywords': (t) => {
    const normalized = normalizeText(t);
    return [
      findKeywords(normalized, DEFAULT_PRIORITY_KEYWORDS.urgencyHigh),
      removeKeywords(normalized, DEFAULT_PRIORITY_KEYWORDS.urgencyLow),
    ];
  },
  'email parse: text/plain body': async (t) => parseEmail(email(t), LIMITS),
  'email parse: text/html body': async (t) => parseEmail(email(t, 'text/html'), LIMITS),
  'email parse: subject header': async (t) => parseEmail(header('Subject', t), LIMITS),
  'email parse and classify: auto-reply headers': async (t) => {
    const parsed = await parseEmail(
      Buffer.from(
        `${HEAD}Auto-Submitted: ${oneLine(t)}\r\nPrecedence: ${oneLine(t)}\r\nReturn-Path: ${oneLine(t)}\r\nX-Loop: ${oneLine(t)}\r\n\r\nbody\r\n`,
      ),
      LIMITS,
    );
    return classifyEmail(parsed, { ourAddresses: ['desk@desk.example'], ourDomains: ['desk.example'] });
  },
  'bounce classification (free-text mailer-daemon)': (t) =>
    classifyEmail({
      messageId: 'x@y',
      inReplyTo: null,
      references: [],
      from: { name: null, address: 'mailer-daemon@acme.example' },
      headers: {},
      text: t,
      report: null,
    }),
  'delivery report parts': (t) =>
    summariseReport({
      reportType: 'delivery-status',
      parts: [
        { contentType: 'message/delivery-status', text: t },
        { contentType: 'text/rfc822-headers', text: t },
      ],
    }),
  messageIdsInText: (t) => messageIdsInText(t),
  'quoted-reply stripping (splitReply)': (t) => splitReply(t),
  surveyDigit: (t) => [surveyDigit(t), surveyDigit(`1${t}`), surveyDigit(`1${t}x`)],
  'charset repair (raw 8-bit header)': (t) =>
    repairRawHeaders(
      Buffer.concat([Buffer.from('Subject: '), Buffer.from(oneLine(t), 'latin1'), Buffer.from('\xe9\r\n\r\nbody', 'latin1')]),
    ),
  'hints: urgency headers, language': (t) => [
    urgencyFromHeaders(header('X-Priority', t)),
    urgencyFromHeaders(header('Importance', t)),
    guessLanguage(header('Content-Language', t), t),
  ],
  'threading: subject token, clean subject': (t) => [subjectTicketNumber(t), cleanSubject(t)],
  'Message-ID lists': (t) => parseMessageIdList(t),
  isNoReplyAddress: (t) => isNoReplyAddress(t),
  'HTML to text': (t) => [htmlToText(t), htmlToText(`<div>${t}</div>`)],
  'SMS technician commands': (t) => [
    parseTechnicianCommand(t, 'en'),
    parseTechnicianCommand(`NOTE 12 ${t}`, 'fr'),
    parseTechnicianCommand(`DONE ${t}`, 'en'),
  ],
  'SMS text: fitSms (toGsm7, then cut by septets)': (t) => fitSms(t, 28),
  'SMS text: gsm7Length': (t) => gsm7Length(t),
  'SMS survey score (requester texts)': (t) => [surveyScore(t), surveyScore(`1${t}x`)],
  'SMS thanks (isThanks)': (t) => [isThanks(t), isThanks(t.slice(0, 40))],
  'outage relevance of a ticket': (t) =>
    concerns({ title: 'VPN down', message: t }, { category: null, subject: t.slice(0, 500), description: t }),
  storableText: (t) => storableText(t),
};

function oneLine(t: string): string {
  return t.replace(/[\r\n]/g, ' ');
}

const MB = 1024 * 1024;

/** Deterministic "random" Unicode: every plane's letters, marks, emoji, and lone surrogates. */
function unicode(length: number): string {
  const out: string[] = [];
  let x = 0x2545f491;
  while (out.length < length) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) % 0x30000;
    out.push(r >= 0xd800 && r < 0xe000 ? String.fromCharCode(r) : String.fromCodePoint(r));
  }
  return out.join('').slice(0, length);
}

/** The hostile shapes, each about 1 MB. */
export const SHAPES: Record<string, () => string> = {
  'one line without spaces': () => 'a'.repeat(MB),
  'only spaces': () => ' '.repeat(MB),
  'repeated punctuation': () => '!?.,;:-_(<[@'.repeat(MB / 12),
  'nested quotes >>>>>': () => `${'>'.repeat(MB / 2)}\n${'> '.repeat(MB / 4)}`,
  'many "On … wrote:" lines': () => 'On Mon, 1 Jan 2024 at 10:00, Bob <bob@acme.example> wrote:\n'.repeat(MB / 58),
  'many "Le … a écrit :" lines, no quote': () => 'Le lun. 1 janv. 2024 à 10:00, Bob a écrit :\nLe '.repeat(MB / 48),
  'a single character': () => '1'.repeat(MB),
  'an address-like run': () => 'a@'.repeat(MB / 2),
  'a link-like run': () => 'http://www.'.repeat(MB / 11),
  'white space of every kind': () => ' \t\u00a0\u2003\r\n'.repeat(MB / 6),
  'header-like lines': () => 'From: a\nSent: b\nTo: c\nSubject: d\nX:\n'.repeat(MB / 36),
  'tags and entities': () => '<div><p>&amp;&#x41;&lt;'.repeat(MB / 22),
  'random unicode': () => unicode(MB / 2),
};

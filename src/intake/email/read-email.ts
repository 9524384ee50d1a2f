import { synthesizeMessageId } from '../../mail/message-id.js';
import { storableText } from '../../text/storable.js';
import { EmailParseError, parseEmail, type ParseLimits } from './parse.js';
import type { ReceiveDeps, ReceiveInput } from './receive-types.js';
import { CLASSIFIER_HEADERS, type Address, type EmailHeaders, type InboundEmail } from './types.js';

/** An email parsed and made fit to store, or why it cannot be read. */
export type ReadEmail = { ok: true; email: InboundEmail } | { ok: false; reason: string };

/** Raw bytes → an email fit to store (a message too large to download: what its headers say). */
export function readEmail(deps: Pick<ReceiveDeps, 'settings'>, input: ReceiveInput): Promise<ReadEmail> {
  return readRaw(deps.settings.limits, input);
}

/** The same, from the bytes alone: what the parse worker (parse-worker.ts) runs. */
export async function readRaw(limits: ParseLimits, input: Pick<ReceiveInput, 'raw' | 'oversize'>): Promise<ReadEmail> {
  try {
    const email = storable(await parseEmail(input.raw, limits), input.raw);
    return { ok: true, email: input.oversize === undefined ? email : tooLarge(email, input.oversize) };
  } catch (err) {
    return {
      ok: false,
      reason: err instanceof EmailParseError ? `unparsable (${err.reason}): ${err.message}` : `unparsable: ${String(err)}`,
    };
  }
}

/** A message known by its header section only: the whole of it is what was left out. */
function tooLarge(email: InboundEmail, size: number): InboundEmail {
  const mb = (size / 1024 / 1024).toFixed(1);
  return {
    ...email,
    text: `(This email, ${mb} MB, was too large to be read; only its headers were.)`,
    attachments: [],
    omitted: [{ filename: 'message.eml', contentType: 'message/rfc822', size, reason: 'message-too-large' }],
  };
}

/**
 * Every string of the email as Postgres can store it (storableText: no NUL, no lone surrogate): broken
 * clients send both, in any field, and one such character would fail the whole email's transaction.
 */
function storable(email: InboundEmail, raw: Buffer): InboundEmail {
  const text = storableText;
  const address = (a: Address): Address => ({ name: a.name && text(a.name), address: text(a.address) });
  const headers: EmailHeaders = {};
  for (const name of CLASSIFIER_HEADERS) {
    const values = email.headers[name];
    if (values !== undefined) headers[name] = values.map(text);
  }
  return {
    ...email,
    // A Message-ID made only of what is not storable is as good as none: the stand-in is stable too.
    messageId: text(email.messageId) || synthesizeMessageId(raw),
    inReplyTo: email.inReplyTo && (text(email.inReplyTo) || null),
    references: email.references.map(text).filter((id) => id !== ''),
    from: email.from && address(email.from),
    replyTo: email.replyTo && address(email.replyTo),
    to: email.to.map(address),
    cc: email.cc.map(address),
    subject: text(email.subject),
    text: text(email.text),
    html: email.html && text(email.html),
    headers,
    attachments: email.attachments.map((a) => ({
      ...a,
      filename: text(a.filename),
      contentType: text(a.contentType),
      contentId: a.contentId && text(a.contentId),
    })),
    omitted: email.omitted.map((o) => ({ ...o, filename: text(o.filename), contentType: text(o.contentType) })),
    report: email.report && {
      reportType: text(email.report.reportType),
      parts: email.report.parts.map((p) => ({ ...p, text: text(p.text) })),
    },
  };
}

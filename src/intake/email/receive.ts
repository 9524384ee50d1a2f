import { scrub } from '../../log.js';
import { classifyEmail, type EmailClass } from './auto-reply.js';
import type { Transaction } from 'sequelize';
import { within } from '../../tickets/deps.js';
import { Redelivered } from './in-transaction.js';
import { EmailParseError, parseEmail } from './parse.js';
import { receiveAutoReply, receiveBounce } from './receive-machine.js';
import { receiveHuman } from './receive-human.js';
import type { EmailContext, MailboxRef, ReceiveDeps, ReceiveInput, ReceiveOutcome } from './receive-types.js';
import { isTransientError } from '../../store/unavailable.js';
import { synthesizeMessageId } from '../../mail/message-id.js';
import { CLASSIFIER_HEADERS, type Address, type EmailHeaders, type InboundEmail } from './types.js';
import { storableText } from '../../text/storable.js';

export type { ReceiveDeps, ReceiveInput, ReceiveOutcome, MailboxRef } from './receive-types.js';

/**
 * The email intake's one use case: raw RFC 5322 bytes → a ticket, a reply on a ticket, a bounce
 * recorded, or nothing, in ONE transaction that also moves the mailbox's cursor past the message.
 *
 * A message that cannot be parsed, or whose storing fails for a reason a retry will not cure, is
 * quarantined (kept raw, listed by GET /api/quarantine) and the cursor moves on: one poison email
 * never blocks the mail behind it. Transient failures (the database away) throw, and the reader
 * tries the same message again later.
 */
export async function receiveEmail(deps: ReceiveDeps, input: ReceiveInput, read?: ReadEmail): Promise<ReceiveOutcome> {
  const parsed = read ?? (await readEmail(deps, input));
  if (!parsed.ok) return quarantineEmail(deps, input, parsed.reason);
  try {
    return await store(deps, input, parsed.email);
  } catch (err) {
    if (isTransientError(err)) throw err;
    deps.log.error(
      { mailbox: input.mailbox.key, uid: input.position?.uid, err: scrub(String(err)) },
      'an email could not be stored: quarantined',
    );
    return quarantineEmail(deps, input, `could not be stored: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An email parsed and made fit to store, or why it cannot be read. */
export type ReadEmail = { ok: true; email: InboundEmail } | { ok: false; reason: string };

export async function readEmail(deps: ReceiveDeps, input: ReceiveInput): Promise<ReadEmail> {
  try {
    const email = storable(await parseEmail(input.raw, deps.settings.limits), input.raw);
    return { ok: true, email: input.oversize === undefined ? email : tooLarge(email, input.oversize) };
  } catch (err) {
    return {
      ok: false,
      reason: err instanceof EmailParseError ? `unparsable (${err.reason}): ${err.message}` : `unparsable: ${String(err)}`,
    };
  }
}

async function store(deps: ReceiveDeps, input: ReceiveInput, email: InboundEmail): Promise<ReceiveOutcome> {
  const { store } = deps.tickets;
  let kind = { kind: 'human' } as EmailClass;
  let outcome: ReceiveOutcome;
  try {
    outcome = await store.transaction(async (tx) => {
      if (!(await claim(deps, input, tx))) return { outcome: 'skipped' } as const;
      const known = await store.email.known(email.messageId, tx);
      kind = classifyEmail(email, {
        ourAddresses: deps.ourAddresses,
        isOurMessageId: (id) => id === email.messageId && (known.sent || isOurs(deps, id)),
      });
      const ctx: EmailContext = {
        deps,
        tickets: within(deps.tickets, tx),
        tx,
        email,
        class: kind,
        known,
        raw: input.raw,
        mailbox: input.mailbox,
        now: new Date(),
      };
      return dispatch(ctx, kind);
    });
  } catch (err) {
    if (!(err instanceof Redelivered)) throw err;
    // The same email came in through another mailbox meanwhile: everything is undone but the cursor,
    // and nothing that was undone is announced.
    outcome = await store.transaction(async (tx) => ((await claim(deps, input, tx)) ? { outcome: 'duplicate' } : { outcome: 'skipped' }));
  }
  logMachineMail(deps, { mailbox: input.mailbox, uid: input.position?.uid }, kind, outcome);
  return outcome;
}

/** Machine mail is never answered: says what became of it (and of a dropped email), without addresses. */
export function logMachineMail(
  deps: Pick<ReceiveDeps, 'log'>,
  where: { mailbox: MailboxRef; uid: number | undefined },
  kind: EmailClass,
  outcome: ReceiveOutcome,
): void {
  if (kind.kind === 'human' && outcome.outcome !== 'dropped') return;
  const why = outcome.outcome === 'dropped' ? outcome.reason : kind.kind === 'human' ? undefined : kind.reason;
  deps.log.info(
    { mailbox: where.mailbox.key, uid: where.uid, class: kind.kind, outcome: outcome.outcome, why: why && scrub(why) },
    outcome.outcome === 'dropped' ? 'email dropped' : 'automatic email recorded',
  );
}

/** Moves the mailbox's cursor to this message inside `tx`; false when another reader took it already. */
function claim(deps: ReceiveDeps, input: ReceiveInput, tx: Transaction): Promise<boolean> {
  if (!input.position) return Promise.resolve(true);
  return deps.tickets.store.mailboxes.claim(input.mailbox.key, input.position.uidValidity, input.position.uid, tx);
}

function dispatch(ctx: EmailContext, kind: EmailClass): Promise<ReceiveOutcome> {
  switch (kind.kind) {
    case 'human':
      return receiveHuman(ctx);
    case 'auto-reply':
      return receiveAutoReply(ctx);
    case 'bounce':
      return receiveBounce(ctx);
    case 'loop':
      return Promise.resolve({ outcome: 'dropped', reason: kind.reason });
  }
}

/** Quarantine row and cursor, together. A quarantine that fails for want of a database throws (retried later). */
export async function quarantineEmail(deps: ReceiveDeps, input: ReceiveInput, reason: string): Promise<ReceiveOutcome> {
  const { store } = deps.tickets;
  const outcome = await store.transaction(async (tx) => {
    if (!(await claim(deps, input, tx))) return { outcome: 'skipped' } as const;
    await store.mailboxes.quarantine({ mailbox: input.mailbox.key, uid: input.position?.uid ?? null, reason, raw: input.raw }, tx);
    return { outcome: 'quarantined', reason } as const;
  });
  if (outcome.outcome === 'quarantined') {
    deps.log.warn({ mailbox: input.mailbox.key, uid: input.position?.uid, reason: scrub(reason) }, 'email quarantined');
  }
  return outcome;
}

/** The sender writes `<uuid@MAIL_FROM's domain>` (notify/channels/smtp-mail.ts). */
export function isOurs(deps: Pick<ReceiveDeps, 'ourDomain'>, messageId: string): boolean {
  if (deps.ourDomain === null) return false;
  const at = messageId.lastIndexOf('@');
  return (
    messageId.slice(at + 1).toLowerCase() === deps.ourDomain &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId.slice(0, at))
  );
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

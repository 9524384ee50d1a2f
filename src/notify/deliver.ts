import { normaliseMessageId } from '../mail/message-id.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { isSendError, SendError, type MailTransport, type SmsSender } from './channels/types.js';
import { ComposeError } from './compose.js';
import { renderContent } from './content.js';
import type { OutboxItem, RenderedContent } from '../store/outbox-deliveries.js';
import { holdLease } from './lease.js';
import { OFFER_ENDING_EVENTS, OFFER_KINDS, offerCurrency } from './offer-currency.js';
import { revealOfferLink, type OfferLinks } from './offer-link.js';
import { revealArticleLinks, type ArticleLinks } from './article-link.js';
import { revealApprovalLink, type ApprovalLinks } from './approval-link.js';
import { suppressionOf } from './suppression.js';

/**
 * One attempt at one outbox row: claim, render, send, record. Exactly once rests on three rules:
 *
 * 1. Every state change names its attempt (store/outbox-deliveries.ts), so two workers never both act.
 * 2. Before the vendor call the row gets its marker (`send_started_at`) and its rendered content;
 *    after it, the outcome is written in the same transaction as the outbound message and the
 *    `notified` event. A row that still has the marker when it is next claimed had a send whose
 *    outcome was lost (the worker was killed, the request timed out): it is reconciled first.
 * 3. Reconciling differs by channel, and that is the trade-off:
 *    - SMS: Twilio's message list is asked for a message to that number with that body since the
 *      marker; found, the row is marked sent with its MessageSid and nothing is sent; not found,
 *      the same text goes out. When Twilio cannot be asked, the row waits (transient) rather than
 *      guess; an SMS channel that cannot look up fails the row as OUTCOME_UNKNOWN for a person to
 *      decide. Nobody gets a text twice; the cost is a lookup after each crash.
 *    - Email: SMTP has no lookup, so the message is sent again, byte for byte, with the Message-ID
 *      stored before the first try. The window is narrow (between the server's 250 and our commit),
 *      and a copy with the same Message-ID is folded by mail clients and by our own intake. We
 *      prefer that to losing an acknowledgement.
 *
 * The lease (how long a claim lasts) is short, and renewed by its holder for as long as it works
 * (lease.ts): a slow worker is never taken for a dead one, and a dead one's rows go out seconds
 * after it died, not minutes.
 */

export interface Channels {
  /** `links`: the offer texts' links to the technician's phone page (offer-link.ts). */
  sms?: { sender: SmsSender; from: string; links?: OfferLinks };
  email?: { transport: MailTransport; from: string };
  /** The links of the articles an acknowledgement suggests, by either channel (article-link.ts). */
  articleLinks?: ArticleLinks;
  /** The links of the pages where approvers answer a request, by either channel (approval-link.ts). */
  approvalLinks?: ApprovalLinks;
}

export interface DeliveryDeps {
  store: Store;
  log: Logger;
  channels: Channels;
  timeZone: string;
  leaseMs: number;
  backoff: BackoffPolicy;
  random?: () => number;
}

export type DeliveryOutcome =
  | { outcome: 'skipped' }
  | { outcome: 'sent' | 'reconciled'; externalId: string }
  | { outcome: 'retry'; attempt: number; delayMs: number; code: string }
  | { outcome: 'failed'; code: string }
  | { outcome: 'superseded'; code: string };

export interface DeliveryJob {
  outboxId: number;
  /** The row's attempt count when the job was made; a job for any other attempt is stale. */
  attempt: number;
}

/** Twilio's list shows a message from its creation; this covers the clocks of two machines. */
const LOOKUP_SLACK_MS = 2 * 60_000;

/** No answer at all from Twilio: the message may have been created, so the marker stays. */
const AMBIGUOUS_CODES = new Set(['NETWORK', 'TIMEOUT']);

export async function deliver(deps: DeliveryDeps, job: DeliveryJob): Promise<DeliveryOutcome> {
  const row = await deps.store.deliveries.claim(job.outboxId, job.attempt, deps.leaseMs);
  if (!row) return { outcome: 'skipped' };
  const lease = holdLease(deps.store.deliveries, row, deps.leaseMs, deps.log);
  try {
    return await attempt(deps, row);
  } finally {
    lease.release();
  }
}

/** The claimed row's attempt, from its checks to its recorded outcome. */
async function attempt(deps: DeliveryDeps, row: OutboxItem): Promise<DeliveryOutcome> {
  const { log } = deps;
  const outbox = deps.store.deliveries;
  const ctx = { outboxId: row.id, kind: row.kind, channel: row.channel, attempt: row.attempts };
  const channel = deps.channels[row.channel];
  if (!channel) {
    await outbox.release(row.id, row.attempts);
    return { outcome: 'skipped' };
  }

  let content = row.rendered;
  const resending = row.sendStartedAt !== null && content !== null;
  if (resending && content) {
    const settled = await reconcile(deps, row, content);
    if (settled) return settled;
  }
  if (!resending) {
    const suppressed = row.forced ? null : await suppressionOf(deps.store, row);
    if (suppressed) return fail(deps, row, suppressed);
  }
  if (!content) {
    try {
      content = await renderContent(deps.store, row, {
        mailFrom: deps.channels.email?.from ?? '',
        timeZone: deps.timeZone,
        offerLinks: deps.channels.sms?.links,
        articleLinks: deps.channels.articleLinks,
        approvalLinks: deps.channels.approvalLinks,
      });
    } catch (err) {
      if (err instanceof ComposeError) return fail(deps, row, { code: 'TEMPLATE_ERROR', message: err.message });
      throw err;
    }
  }
  // Checked at the last moment, right before the marker and the call: after a backlog, an offer
  // may have ended long before its turn.
  const stale = await staleOffer(deps, row);
  if (stale) return stale;
  if (!(await outbox.markStarted(row.id, row.attempts, content, deps.leaseMs))) return { outcome: 'skipped' };

  let sent: Sent;
  try {
    sent = await send(deps.channels, row, content);
  } catch (err) {
    const error = isSendError(err) ? err : new SendError('transient', 'NETWORK', String(err), { cause: err });
    if (error.kind === 'permanent') return fail(deps, row, error);
    const marker = row.channel === 'sms' && AMBIGUOUS_CODES.has(error.code) ? 'keep' : 'clear';
    const delayMs = backoffDelay(row.attempts, deps.backoff, deps.random);
    await outbox.retry(row.id, row.attempts, delayMs, error, marker);
    log.warn({ ...ctx, code: error.code, vendorCode: error.vendorCode, delayMs }, 'notification not sent; will retry');
    return { outcome: 'retry', attempt: row.attempts, delayMs, code: error.code };
  }
  await record(deps, row, sent, 'sent');
  log.info({ ...ctx }, 'notification sent');
  return { outcome: 'sent', externalId: sent.externalId };
}

interface Sent {
  externalId: string;
  status: string;
  subject: string | null;
  body: string;
  from: string;
}

/** The SMS as Twilio gets it: its offer's, articles' or approval's links revealed (the stored text keeps them masked). */
function smsBody(channels: Channels, row: OutboxItem, text: string): string {
  const revealed = revealArticleLinks(channels.articleLinks, row.payload, revealOfferLink(channels.sms?.links, row, text));
  return revealApprovalLink(channels.approvalLinks, row, revealed);
}

async function send(channels: Channels, row: OutboxItem, content: RenderedContent): Promise<Sent> {
  if (row.channel === 'sms') {
    const sms = channels.sms;
    if (!sms || content.sms === undefined) throw new SendError('permanent', 'TEMPLATE_ERROR', 'no SMS content');
    // Twilio gets the offer's link; the message recorded keeps it masked, as the outbox row does.
    const sent = await sms.sender.send({ to: row.recipient, body: smsBody(channels, row, content.sms) });
    return { externalId: sent.externalId, status: sent.status, subject: null, body: content.sms, from: sms.from };
  }
  const mail = channels.email;
  const email = content.email;
  if (!mail || !email) throw new SendError('permanent', 'TEMPLATE_ERROR', 'no email content');
  // The articles' and approval's links go out whole; the text recorded keeps them masked, as the outbox row does.
  const reveal = (text: string) =>
    revealApprovalLink(channels.approvalLinks, row, revealArticleLinks(channels.articleLinks, row.payload, text));
  const sent = await mail.transport.send({
    to: email.to ?? [row.recipient],
    subject: email.subject,
    text: reveal(email.text),
    html: reveal(email.html),
    messageId: email.messageId,
    ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
    references: email.references,
    // The header may show others (a reply's To and Cc); the row's copy goes to its recipient alone.
    ...(email.to || email.cc ? { cc: email.cc ?? [], envelopeTo: [row.recipient] } : {}),
    ...(email.autoSubmitted ? { autoSubmitted: email.autoSubmitted } : {}),
  });
  // One recipient per row: refused while "accepted" can only mean refused.
  if (sent.rejected && sent.rejected.length > 0) throw new SendError('permanent', 'REJECTED', 'SMTP: recipient refused');
  // Stored as the inbound side stores Message-IDs (RFC 5322 msg-id without its angle brackets), so
  // that a reply's In-Reply-To finds this message.
  const externalId = normaliseMessageId(sent.messageId) ?? sent.messageId;
  return { externalId, status: 'sent', subject: email.subject, body: email.text, from: mail.from };
}

/** After a send whose outcome was lost. Returns the outcome when settled, undefined to send again. */
async function reconcile(deps: DeliveryDeps, row: OutboxItem, content: RenderedContent): Promise<DeliveryOutcome | undefined> {
  const ctx = { outboxId: row.id, kind: row.kind, channel: row.channel };
  if (row.channel === 'email') {
    deps.log.warn(ctx, 'an earlier send of this email has no recorded outcome; sending it again with the same Message-ID');
    return undefined;
  }
  const sms = deps.channels.sms;
  if (!sms?.sender.findSent || content.sms === undefined) {
    return fail(deps, row, {
      code: 'OUTCOME_UNKNOWN',
      message: 'the worker stopped while sending and the SMS channel cannot tell whether it went out; check with the recipient, then retry',
    });
  }
  try {
    const since = new Date((row.sendStartedAt?.getTime() ?? Date.now()) - LOOKUP_SLACK_MS);
    const found = await sms.sender.findSent({ to: row.recipient, body: smsBody(deps.channels, row, content.sms), since });
    if (!found) {
      deps.log.info(ctx, 'an earlier send of this SMS did not reach Twilio; sending it again');
      return undefined;
    }
    await record(deps, row, { ...found, subject: null, body: content.sms, from: sms.from }, 'reconciled');
    deps.log.info(ctx, 'an earlier send of this SMS had reached Twilio; recorded, not sent again');
    return { outcome: 'reconciled', externalId: found.externalId };
  } catch (err) {
    const error = isSendError(err) ? err : new SendError('transient', 'NETWORK', String(err));
    const delayMs = backoffDelay(row.attempts, deps.backoff, deps.random);
    // The marker stays: the next attempt asks again.
    await deps.store.deliveries.retry(row.id, row.attempts, delayMs, { code: 'LOOKUP_FAILED', message: error.message }, 'keep');
    return { outcome: 'retry', attempt: row.attempts, delayMs, code: 'LOOKUP_FAILED' };
  }
}

/** An offer or reminder that stopped being true: set aside with why (offer-currency.ts), not sent. */
async function staleOffer(deps: DeliveryDeps, row: OutboxItem): Promise<DeliveryOutcome | undefined> {
  if (!OFFER_KINDS.includes(row.kind)) return undefined;
  const facts = await deps.store.deliveries.offerFacts(row, OFFER_ENDING_EVENTS);
  const currency = facts ? offerCurrency({ ...facts, kind: row.kind, writtenAt: row.createdAt }) : undefined;
  if (!currency || currency.current) return undefined;
  if (await deps.store.deliveries.supersede(row.id, row.attempts, currency)) {
    deps.log.info({ outboxId: row.id, kind: row.kind, channel: row.channel, code: currency.code }, 'notification superseded, not sent');
    return { outcome: 'superseded', code: currency.code };
  }
  return { outcome: 'skipped' };
}

/** The outcome, the outbound message and the `notified` event: one statement (store/outbox-deliveries.ts). */
async function record(deps: DeliveryDeps, row: OutboxItem, sent: Sent, how: 'sent' | 'reconciled'): Promise<void> {
  const done = await deps.store.deliveries.finish(row.id, row.attempts, {
    externalId: sent.externalId,
    status: sent.status,
    sender: sent.from,
    subject: sent.subject,
    body: sent.body,
    reconciled: how === 'reconciled',
  });
  if (!done) deps.log.warn({ outboxId: row.id }, 'notification sent, but its claim had lapsed; another worker owns the row');
}

/** Gives up on the row; the ticket shows it (no address, no text: those stay in the dead-letter view). */
async function fail(
  deps: DeliveryDeps,
  row: OutboxItem,
  error: { code: string; message: string; vendorCode?: string | number | undefined },
) {
  await deps.store.deliveries.fail(row.id, row.attempts, error);
  deps.log.warn({ outboxId: row.id, kind: row.kind, channel: row.channel, code: error.code }, 'notification failed');
  return { outcome: 'failed', code: error.code } as const;
}

import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../log.js';
import { fetchBatch, lastUidOf, planBatches, type FetchedEmail } from './mailbox-fetch.js';
import type { MailboxMetrics } from './mailbox-metrics.js';
import type { MailboxSpec } from '../../config/mailbox-url.js';
import type { EmailReader } from './parse-pool.js';
import type { ReadEmail } from './read-email.js';
import { quarantineEmail, receiveEmails, type ReceiveDeps, type ReceiveInput, type ReceiveOutcome, type WaitingEmail } from './receive.js';
import type { MailboxRef } from './receive-types.js';
import { isRetryableAtOnce } from '../../store/unavailable.js';

/** Where a reader stands in its mailbox; shared with its status. */
export interface DrainProgress {
  lastUid: number;
  /** UIDs above the cursor taken by an earlier session (see mailboxes.start): never read again. */
  claimed: Set<number>;
  received: number;
  backlog: number;
}

export interface DrainContext {
  client: ImapFlow;
  uidValidity: number;
  spec: MailboxSpec;
  receive: ReceiveDeps;
  /** Parses downloaded mail off the main thread (parse-pool.ts). */
  reader: EmailReader;
  metrics: MailboxMetrics;
  log: Logger;
  progress: DrainProgress;
  /** Tries per message (`uidvalidity:uid`), kept across sessions. */
  attempts: Map<string, number>;
  /** Throws when the session must end (a lost connection or lock, a stop). */
  check(): void;
  /** Called before each listing: mail arriving after it wakes the reader again. */
  listing(): void;
  setBacklog(count: number): void;
}

/**
 * Reads every message past the cursor, batch after batch in UID order, the next batch downloading
 * while one is stored; each batch goes through the intake's one path (receive.ts).
 * The cursor moves past a batch once all of it is done; each message's claim, in the transaction
 * that stores it, covers a batch cut short.
 */
export async function drainMailbox(ctx: DrainContext): Promise<void> {
  const { client, uidValidity, progress } = ctx;
  const settings = ctx.receive.settings;
  for (;;) {
    ctx.check();
    ctx.listing();
    // "UID n:*" also answers the highest UID when none is above n (RFC 3501 §6.4.8): filter.
    const listed = await client.fetchAll(`${progress.lastUid + 1}:*`, { uid: true, size: true }, { uid: true });
    const fresh = listed
      .filter((m) => m.uid > progress.lastUid)
      .map((m) => ({ uid: m.uid, size: m.size ?? 0 }))
      .sort((a, b) => a.uid - b.uid);
    ctx.setBacklog(fresh.filter((m) => !progress.claimed.has(m.uid)).length);
    if (fresh.length === 0) return;
    const batches = planBatches(fresh, settings);
    // The next batch is downloaded and parsed while this one is stored: parsing fills the time the
    // store spends waiting on Postgres.
    const prepare = (i: number) => {
      const batch = batches[i];
      if (!batch) return null;
      const emails = fetchBatch(client, batch, progress.claimed).then((fetched) => readAll(ctx, fetched));
      // An abandoned prefetch (stop, error) must not surface as an unhandled rejection.
      emails.catch(() => {});
      return emails;
    };
    let next = prepare(0);
    // The cursor moves past a batch while the next one is stored (its claims cover it meanwhile),
    // one move after the other.
    let advancing: Promise<void> = Promise.resolve();
    for (let i = 0; next !== null; i++) {
      const emails = await next;
      next = prepare(i + 1);
      await storeBatch(ctx, emails);
      // Only now, every message of the batch committed, may the mailbox itself be touched.
      if (ctx.spec.markSeen && emails.length > 0) {
        await client.messageFlagsAdd(emails.map((e) => e.uid).join(','), ['\\Seen'], { uid: true });
      }
      const last = lastUidOf(batches[i]!);
      await advancing;
      advancing = ctx.receive.tickets.store.mailboxes.advance(ctx.spec.key, uidValidity, last).then(() => {
        progress.lastUid = Math.max(progress.lastUid, last);
        for (const uid of progress.claimed) if (uid <= last) progress.claimed.delete(uid);
      });
      // A session that ends meanwhile (an error storing the next batch) must not leave it unhandled.
      advancing.catch(() => {});
    }
    await advancing;
  }
}

/**
 * One batch: what cannot be read is quarantined, the rest is received together (receive.ts). A
 * deadlock is tried again at once; anything else transient (the database away) ends the session,
 * and the emails not stored yet are read again. An email that keeps failing so is quarantined once
 * it is found alone (the batch split in halves), so that the mail behind it does not wait forever.
 */
async function storeBatch(ctx: DrainContext, waiting: Waiting[]): Promise<void> {
  for (const w of waiting) {
    if (w.read.ok) continue;
    ctx.check();
    const outcome = await quarantineEmail(ctx.receive, w.input, w.read.reason);
    ctx.progress.received++;
    counted(ctx, w, outcome);
  }
  await storeReadable(
    ctx,
    waiting.flatMap((w) => (w.read.ok ? [{ uid: w.uid, raw: w.raw, email: w.read.email }] : [])),
  );
}

async function storeReadable(ctx: DrainContext, emails: readonly WaitingEmail[]): Promise<void> {
  const done = new Set<number>();
  const maxAttempts = ctx.receive.settings.maxAttempts;
  for (;;) {
    const left = emails.filter((w) => !done.has(w.uid));
    if (left.length === 0) return;
    try {
      await receiveEmails(ctx.receive, { mailbox: mailboxOf(ctx), uidValidity: ctx.uidValidity }, left, {
        onOutcome(uid, outcome) {
          done.add(uid);
          ctx.progress.received++;
          counted(ctx, { uid }, outcome);
        },
        check: () => ctx.check(),
      });
      return;
    } catch (err) {
      const tries = Math.max(
        ...left
          .filter((w) => !done.has(w.uid))
          .map((w) => {
            const key = `${ctx.uidValidity}:${w.uid}`;
            const n = (ctx.attempts.get(key) ?? 0) + 1;
            ctx.attempts.set(key, n);
            return n;
          }),
        0,
      );
      // Two lanes' transactions caught in a deadlock: Postgres aborted one, which simply goes again.
      if (isRetryableAtOnce(err) && tries < maxAttempts) continue;
      // Anything else transient (the database away): the session ends and these emails are tried again.
      if (tries < maxAttempts) throw err;
      const rest = left.filter((w) => !done.has(w.uid));
      const [only] = rest;
      if (rest.length === 1 && only) {
        // Poison by persistence: whatever keeps failing, the mail behind it must not wait forever.
        ctx.log.error({ mailbox: ctx.spec.key, uid: only.uid, tries }, 'an email keeps failing: quarantined');
        const reason = `failed ${tries} times: ${err instanceof Error ? err.message : String(err)}`;
        counted(ctx, only, await quarantineEmail(ctx.receive, inputOf(ctx, { uid: only.uid, raw: only.raw, oversize: null }), reason));
        done.add(only.uid);
        continue;
      }
      const half = Math.ceil(rest.length / 2);
      await storeReadable(ctx, rest.slice(0, half));
      await storeReadable(ctx, rest.slice(half));
      return;
    }
  }
}

/** A downloaded batch, parsed. */
async function readAll(ctx: DrainContext, fetched: FetchedEmail[]): Promise<Waiting[]> {
  const waiting = fetched.map((email) => ({ uid: email.uid, raw: email.raw, input: inputOf(ctx, email) }));
  const read = await ctx.reader.readAll(waiting.map((w) => w.input));
  return waiting.map((w, i) => ({ ...w, read: read[i] ?? { ok: false, reason: 'unparsable: the parser gave no answer' } }));
}

interface Waiting {
  uid: number;
  raw: Buffer;
  input: ReceiveInput;
  read: ReadEmail;
}

function inputOf(ctx: DrainContext, email: FetchedEmail): ReceiveInput {
  return {
    mailbox: mailboxOf(ctx),
    position: { uid: email.uid, uidValidity: ctx.uidValidity },
    raw: email.raw,
    ...(email.oversize === null ? {} : { oversize: email.oversize }),
  };
}

function mailboxOf(ctx: DrainContext): MailboxRef {
  return { key: ctx.spec.key, category: ctx.spec.category, urgency: ctx.spec.urgency };
}

/** A message done with: its metric, its backlog, its tries forgotten. */
function counted(ctx: DrainContext, waiting: Pick<Waiting, 'uid'>, outcome: ReceiveOutcome): void {
  ctx.attempts.delete(`${ctx.uidValidity}:${waiting.uid}`);
  ctx.metrics.messages.inc({ mailbox: ctx.spec.key, outcome: outcome.outcome });
  ctx.setBacklog(Math.max(0, ctx.progress.backlog - 1));
}

import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../log.js';
import { scrub } from '../../log.js';
import { conversationGroups, spreadOnLanes } from './lanes.js';
import { fetchBatch, lastUidOf, planBatches, type FetchedEmail } from './mailbox-fetch.js';
import type { MailboxMetrics } from './mailbox-metrics.js';
import type { MailboxSpec } from '../../config/mailbox-url.js';
import {
  quarantineEmail,
  readEmail,
  receiveEmail,
  type ReadEmail,
  type ReceiveDeps,
  type ReceiveInput,
  type ReceiveOutcome,
} from './receive.js';
import { isBatchable, receiveBatch, type WaitingEmail } from './receive-batch.js';
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
 * while one is stored; within a batch, unrelated conversations are stored side by side (lanes.ts).
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
    for (let i = 0; next !== null; i++) {
      const emails = await next;
      next = prepare(i + 1);
      await storeBatch(ctx, emails);
      // Only now, every message of the batch committed, may the mailbox itself be touched.
      if (ctx.spec.markSeen && emails.length > 0) {
        await client.messageFlagsAdd(emails.map((e) => e.uid).join(','), ['\\Seen'], { uid: true });
      }
      const last = lastUidOf(batches[i]!);
      await ctx.receive.tickets.store.mailboxes.advance(ctx.spec.key, uidValidity, last);
      progress.lastUid = Math.max(progress.lastUid, last);
      for (const uid of progress.claimed) if (uid <= last) progress.claimed.delete(uid);
    }
  }
}

/**
 * One batch: every conversation that can be stored with others together, in one transaction
 * (receive-batch.ts), then the rest on their lanes, one email at a time; the first lane to fail
 * stops the others after their message in hand. Conversations are independent (lanes.ts), so this
 * order changes nothing in what any email becomes.
 */
async function storeBatch(ctx: DrainContext, waiting: Waiting[]): Promise<void> {
  const together: WaitingEmail[][] = [];
  const others: Waiting[][] = [];
  for (const conversation of conversationGroups(waiting)) {
    const parsed = conversation.flatMap((w) =>
      w.read.ok && w.input.oversize === undefined ? [{ uid: w.uid, raw: w.raw, email: w.read.email }] : [],
    );
    const batchable =
      parsed.length === conversation.length &&
      isBatchable(
        parsed.map((p) => p.email),
        ctx.receive,
      );
    if (batchable) together.push(parsed);
    else others.push(conversation);
  }
  const byUid = new Map(waiting.map((w) => [w.uid, w]));
  const left = await storeTogether(ctx, together, byUid);
  others.push(...left.map((conversation) => conversation.map((p) => byUid.get(p.uid)!)));

  let failure: unknown = null;
  await Promise.all(
    spreadOnLanes(others, ctx.receive.settings.lanes).map(async (lane) => {
      for (const waiting of lane) {
        if (failure !== null) return;
        try {
          ctx.check();
          await storeOne(ctx, waiting);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
}

/** A downloaded batch, parsed. */
async function readAll(ctx: DrainContext, fetched: FetchedEmail[]): Promise<Waiting[]> {
  const waiting: Waiting[] = [];
  for (const email of fetched) {
    const input = inputOf(ctx, email);
    waiting.push({ uid: email.uid, raw: email.raw, input, read: await readEmail(ctx.receive, input) });
  }
  return waiting;
}

interface Waiting {
  uid: number;
  raw: Buffer;
  input: ReceiveInput;
  read: ReadEmail;
}

/** The batchable conversations of a batch in one go; returns those left for one-by-one storing. */
async function storeTogether(
  ctx: DrainContext,
  conversations: WaitingEmail[][],
  byUid: ReadonlyMap<number, Waiting>,
): Promise<WaitingEmail[][]> {
  if (conversations.length === 0) return [];
  ctx.check();
  try {
    const { outcomes, rest } = await receiveBatch(ctx.receive, { mailbox: mailboxOf(ctx), uidValidity: ctx.uidValidity }, conversations);
    for (const [uid, outcome] of outcomes) {
      ctx.progress.received++;
      counted(ctx, byUid.get(uid)!, outcome);
    }
    return rest;
  } catch (err) {
    // Whatever it was (one email the store refuses, a redelivery racing us, the database away), the
    // one-by-one way finds out again for each email, quarantines what deserves it, or ends the session.
    ctx.log.warn(
      { mailbox: ctx.spec.key, emails: conversations.flat().length, err: scrub(String(err)) },
      'a batch of emails could not be stored together: one by one',
    );
    return conversations;
  }
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

async function storeOne(ctx: DrainContext, waiting: Waiting): Promise<void> {
  const { spec, uidValidity } = ctx;
  const { input } = waiting;
  const attemptKey = `${uidValidity}:${waiting.uid}`;
  const maxAttempts = ctx.receive.settings.maxAttempts;
  for (;;) {
    try {
      const outcome = await receiveEmail(ctx.receive, input, waiting.read);
      ctx.progress.received++;
      counted(ctx, waiting, outcome);
      return;
    } catch (err) {
      const tries = (ctx.attempts.get(attemptKey) ?? 0) + 1;
      ctx.attempts.set(attemptKey, tries);
      // Two lanes' transactions caught in a deadlock: Postgres aborted one, which simply goes again.
      if (isRetryableAtOnce(err) && tries < maxAttempts) continue;
      // Anything else transient (the database away): the session ends and this message is tried again.
      if (tries < maxAttempts) throw err;
      // Poison by persistence: whatever keeps failing, the mail behind it must not wait forever.
      ctx.log.error({ mailbox: spec.key, uid: waiting.uid, tries }, 'an email keeps failing: quarantined');
      const reason = `failed ${tries} times: ${err instanceof Error ? err.message : String(err)}`;
      counted(ctx, waiting, await quarantineEmail(ctx.receive, input, reason));
      return;
    }
  }
}

import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../log.js';
import { laneGroups } from './lanes.js';
import { fetchBatch, lastUidOf, planBatches, type FetchedEmail } from './mailbox-fetch.js';
import type { MailboxMetrics } from './mailbox-metrics.js';
import type { MailboxSpec } from './mailbox-url.js';
import { quarantineEmail, receiveEmail, type ReceiveDeps, type ReceiveInput } from './receive.js';
import { isRetryableAtOnce } from './transient.js';

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
    const download = (i: number) => {
      const batch = batches[i];
      if (!batch) return null;
      const emails = fetchBatch(client, batch, progress.claimed);
      // An abandoned prefetch (stop, error) must not surface as an unhandled rejection.
      emails.catch(() => {});
      return emails;
    };
    let next = download(0);
    for (let i = 0; next !== null; i++) {
      const emails = await next;
      next = download(i + 1);
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

/** One batch on its lanes; the first lane to fail stops the others after their message in hand. */
async function storeBatch(ctx: DrainContext, emails: FetchedEmail[]): Promise<void> {
  let failure: unknown = null;
  const lanes = laneGroups(emails, ctx.receive.settings.lanes);
  await Promise.all(
    lanes.map(async (lane) => {
      for (const email of lane) {
        if (failure !== null) return;
        try {
          ctx.check();
          await storeOne(ctx, email);
          ctx.setBacklog(Math.max(0, ctx.progress.backlog - 1));
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
}

async function storeOne(ctx: DrainContext, email: FetchedEmail): Promise<void> {
  const { spec, uidValidity } = ctx;
  const input: ReceiveInput = {
    mailbox: { key: spec.key, category: spec.category, urgency: spec.urgency },
    position: { uid: email.uid, uidValidity },
    raw: email.raw,
    ...(email.oversize === null ? {} : { oversize: email.oversize }),
  };
  const attemptKey = `${uidValidity}:${email.uid}`;
  const maxAttempts = ctx.receive.settings.maxAttempts;
  for (;;) {
    try {
      const outcome = await receiveEmail(ctx.receive, input);
      ctx.attempts.delete(attemptKey);
      ctx.progress.received++;
      ctx.metrics.messages.inc({ mailbox: spec.key, outcome: outcome.outcome });
      return;
    } catch (err) {
      const tries = (ctx.attempts.get(attemptKey) ?? 0) + 1;
      ctx.attempts.set(attemptKey, tries);
      // Two lanes' transactions caught in a deadlock: Postgres aborted one, which simply goes again.
      if (isRetryableAtOnce(err) && tries < maxAttempts) continue;
      // Anything else transient (the database away): the session ends and this message is tried again.
      if (tries < maxAttempts) throw err;
      // Poison by persistence: whatever keeps failing, the mail behind it must not wait forever.
      ctx.log.error({ mailbox: spec.key, uid: email.uid, tries }, 'an email keeps failing: quarantined');
      const reason = `failed ${tries} times: ${err instanceof Error ? err.message : String(err)}`;
      const outcome = await quarantineEmail(ctx.receive, input, reason);
      ctx.attempts.delete(attemptKey);
      ctx.metrics.messages.inc({ mailbox: spec.key, outcome: outcome.outcome });
      return;
    }
  }
}

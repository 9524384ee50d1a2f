import { ImapFlow } from 'imapflow';
import type { Sequelize } from 'sequelize';
import { scrub, type Logger } from '../../log.js';
import { backoffDelay } from '../../notify/backoff.js';
import { laneGroups } from './lanes.js';
import { fetchBatch, lastUidOf, planBatches, type FetchedEmail } from './mailbox-fetch.js';
import { tryLockMailbox, type MailboxLock } from './mailbox-lock.js';
import { READER_STATES, type MailboxMetrics, type ReaderState } from './mailbox-metrics.js';
import type { MailboxSpec } from './mailbox-url.js';
import { quarantineEmail, receiveEmail, type ReceiveDeps, type ReceiveInput } from './receive.js';
import { isRetryableAtOnce } from './transient.js';

/**
 * One mailbox's reader: holds the mailbox's lock (one reader per mailbox across processes), then
 * reads every message past the durable cursor in UID order and waits with IDLE (RFC 2177) for more,
 * polling only when the server lacks IDLE. Errors and closed connections end the session; the next
 * starts after an exponential, jittered delay and resumes from the cursor.
 *
 * Nothing here marks or moves a message: the cursor in Postgres, moved in the transaction that
 * stores what the message made, says what was read. With `seen=yes` a message is flagged \Seen only
 * after that transaction committed.
 */

export interface MailboxStatus {
  mailbox: string;
  state: ReaderState;
  /** This process holds the mailbox's lock: it is the one reading. */
  reading: boolean;
  connected: boolean;
  /** The server pushes new mail (IDLE); false: polled every `poll` seconds. */
  push: boolean | null;
  backlog: number;
  uidValidity: number | null;
  lastUid: number | null;
  received: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface MailboxReaderOptions {
  spec: MailboxSpec;
  receive: ReceiveDeps;
  sequelize: Sequelize;
  metrics: MailboxMetrics;
  log: Logger;
  random?: () => number;
}

export interface MailboxReader {
  status(): MailboxStatus;
  stop(): Promise<void>;
}

/** With IDLE, the mailbox is still listed this often, in case a notification was lost. */
const SAFETY_POLL_MS = 5 * 60_000;
/** A session that stayed up this long was healthy: the next failure starts the backoff afresh. */
const HEALTHY_MS = 60_000;

export function startMailboxReader(options: MailboxReaderOptions): MailboxReader {
  const reader = new Reader(options);
  return { status: () => reader.status(), stop: () => reader.stop() };
}

class Reader {
  private readonly key: string;
  private readonly settings: ReceiveDeps['settings'];
  private state: ReaderState = 'connecting';
  private reading = false;
  private connected = false;
  private push: boolean | null = null;
  private backlog = 0;
  private uidValidity: number | null = null;
  private lastUid = 0;
  /** UIDs above the cursor taken by an earlier session (see mailboxes.start). */
  private claimed = new Set<number>();
  private received = 0;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private failures = 0;
  private readonly attempts = new Map<string, number>();
  private stopping = false;
  private aborted: Error | null = null;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private client: ImapFlow | null = null;
  private readonly stopSignal: Promise<void>;
  private signalStop: () => void = () => {};
  private readonly running: Promise<void>;

  constructor(private readonly o: MailboxReaderOptions) {
    this.key = o.spec.key;
    this.settings = o.receive.settings;
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
    this.setState('connecting');
    this.running = this.run();
  }

  status(): MailboxStatus {
    return {
      mailbox: this.key,
      state: this.state,
      reading: this.reading,
      connected: this.connected,
      push: this.push,
      backlog: this.backlog,
      uidValidity: this.uidValidity,
      lastUid: this.reading ? this.lastUid : null,
      received: this.received,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt?.toISOString() ?? null,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    this.wake();
    // A graceful LOGOUT after the message in hand; a connection stuck on a dead server is cut.
    const cut = setTimeout(() => this.client?.close(), 3_000);
    await this.running;
    clearTimeout(cut);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let lock: MailboxLock | null = null;
      try {
        lock = await tryLockMailbox(this.o.sequelize, this.key);
      } catch (err) {
        this.fail(err, 'the mailbox lock could not be asked for');
        await this.pause(backoffDelay(this.failures, this.settings.reconnect, this.o.random));
        continue;
      }
      if (!lock) {
        this.setState('standby');
        await this.pause(this.jitter(this.settings.lockRetryMs));
        continue;
      }
      this.reading = true;
      const started = Date.now();
      try {
        await this.session(lock);
      } catch (err) {
        if (!this.stopping) {
          if (Date.now() - started > HEALTHY_MS) this.failures = 0;
          this.fail(err, 'the mailbox session ended');
          this.o.metrics.reconnects.inc({ mailbox: this.key });
        }
      } finally {
        this.reading = false;
        this.connected = false;
        this.setBacklog(0);
        await lock.release();
      }
      if (!this.stopping && this.failures > 0) {
        this.setState('reconnecting');
        await this.pause(backoffDelay(this.failures, this.settings.reconnect, this.o.random));
      }
    }
    this.setState('stopped');
  }

  private async session(lock: MailboxLock): Promise<void> {
    const { spec } = this.o;
    this.aborted = null;
    const client = new ImapFlow({
      host: spec.host,
      port: spec.port,
      secure: spec.secure,
      auth: { user: spec.user, pass: spec.password },
      logger: false,
      // We decide when to IDLE: right after catching up, never between two of our own commands.
      disableAutoIdle: true,
      maxIdleTime: this.settings.idleRestartMs,
      connectionTimeout: 30_000,
      // Bounds what one message can cost in memory; larger ones are never downloaded (mailbox-fetch.ts).
      maxLiteralSize: this.settings.maxRawBytes + 1024 * 1024,
      clientInfo: { name: 'helpdesk-gateway' },
    });
    this.client = client;
    const abort = (err: Error) => {
      this.aborted ??= err;
      this.wake();
    };
    client.on('close', () => abort(new Error('the IMAP connection closed')));
    client.on('error', (err: Error) => abort(err));
    client.on('exists', () => this.wake());
    lock.lost.catch((err: unknown) => abort(new Error(`the mailbox lock was lost: ${String(err)}`)));
    try {
      this.setState('connecting');
      await client.connect();
      const box = await client.mailboxOpen(spec.path, { readOnly: !spec.markSeen });
      const uidValidity = Number(box.uidValidity);
      const start = await this.o.receive.tickets.store.mailboxes.start(this.key, uidValidity);
      if (start.resetFrom !== null) {
        this.o.log.warn(
          { mailbox: this.key, was: start.resetFrom, now: uidValidity },
          'UIDVALIDITY changed: every message is read again; those already received are recognised by Message-ID',
        );
      }
      this.uidValidity = uidValidity;
      this.lastUid = start.lastUid;
      this.claimed = start.claimed;
      this.connected = true;
      this.push = client.capabilities.has('IDLE');
      this.o.log.info({ mailbox: this.key, lastUid: this.lastUid, push: this.push }, 'reading the mailbox');
      for (;;) {
        this.setState('fetching');
        await this.drain(client, uidValidity);
        this.check();
        this.setState(this.push ? 'idle' : 'polling');
        if (this.push) client.idle().catch(() => {});
        await this.waitForWake(this.push ? SAFETY_POLL_MS : spec.pollSeconds * 1000);
        this.check();
      }
    } catch (err) {
      if (this.stopping && !this.aborted) return;
      throw this.aborted ?? err;
    } finally {
      this.client = null;
      this.connected = false;
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    }
  }

  /**
   * Reads every message past the cursor, batch after batch in UID order, the next batch downloading
   * while one is stored; within a batch, unrelated conversations are stored side by side (lanes.ts).
   * The cursor moves past a batch once all of it is done; each message's claim, in its own
   * transaction, covers a batch cut short.
   */
  private async drain(client: ImapFlow, uidValidity: number): Promise<void> {
    for (;;) {
      this.check();
      this.woken = false;
      // "UID n:*" also answers the highest UID when none is above n (RFC 3501 §6.4.8): filter.
      const listed = await client.fetchAll(`${this.lastUid + 1}:*`, { uid: true, size: true }, { uid: true });
      const fresh = listed
        .filter((m) => m.uid > this.lastUid)
        .map((m) => ({ uid: m.uid, size: m.size ?? 0 }))
        .sort((a, b) => a.uid - b.uid);
      this.setBacklog(fresh.filter((m) => !this.claimed.has(m.uid)).length);
      if (fresh.length === 0) return;
      const batches = planBatches(fresh, this.settings);
      const download = (i: number) => {
        const batch = batches[i];
        if (!batch) return null;
        const emails = fetchBatch(client, batch, this.claimed);
        // An abandoned prefetch (stop, error) must not surface as an unhandled rejection.
        emails.catch(() => {});
        return emails;
      };
      let next = download(0);
      for (let i = 0; next !== null; i++) {
        const emails = await next;
        next = download(i + 1);
        await this.storeBatch(emails, uidValidity);
        if (this.o.spec.markSeen && emails.length > 0) {
          await client.messageFlagsAdd(emails.map((e) => e.uid).join(','), ['\\Seen'], { uid: true });
        }
        const last = lastUidOf(batches[i]!);
        await this.o.receive.tickets.store.mailboxes.advance(this.key, uidValidity, last);
        this.lastUid = Math.max(this.lastUid, last);
        for (const uid of this.claimed) if (uid <= last) this.claimed.delete(uid);
      }
    }
  }

  /** One batch on its lanes; the first lane to fail stops the others after their message in hand. */
  private async storeBatch(emails: FetchedEmail[], uidValidity: number): Promise<void> {
    let failure: unknown = null;
    const lanes = laneGroups(emails, this.settings.lanes);
    await Promise.all(
      lanes.map(async (lane) => {
        for (const email of lane) {
          if (failure !== null || this.stopping || this.aborted) return;
          try {
            await this.process(email, uidValidity);
            this.setBacklog(Math.max(0, this.backlog - 1));
          } catch (err) {
            failure ??= err;
          }
        }
      }),
    );
    if (failure !== null) throw failure;
    this.check();
  }

  private async process(email: FetchedEmail, uidValidity: number): Promise<void> {
    const { spec } = this.o;
    const input: ReceiveInput = {
      mailbox: { key: this.key, category: spec.category, urgency: spec.urgency },
      position: { uid: email.uid, uidValidity },
      raw: email.raw,
    };
    const attemptKey = `${uidValidity}:${email.uid}`;
    for (;;) {
      try {
        const outcome =
          email.oversize === null
            ? await receiveEmail(this.o.receive, input)
            : await quarantineEmail(this.o.receive, input, email.oversize);
        this.attempts.delete(attemptKey);
        this.received++;
        this.o.metrics.messages.inc({ mailbox: this.key, outcome: outcome.outcome });
        return;
      } catch (err) {
        const tries = (this.attempts.get(attemptKey) ?? 0) + 1;
        this.attempts.set(attemptKey, tries);
        // Two lanes' transactions caught in a deadlock: Postgres aborted one, which simply goes again.
        if (isRetryableAtOnce(err) && tries < this.settings.maxAttempts) continue;
        if (tries < this.settings.maxAttempts) throw err;
        // Poison by persistence: whatever keeps failing, the mail behind it must not wait forever.
        this.o.log.error({ mailbox: this.key, uid: email.uid, tries }, 'an email keeps failing: quarantined');
        const reason = `failed ${tries} times: ${err instanceof Error ? err.message : String(err)}`;
        const outcome = await quarantineEmail(this.o.receive, input, reason);
        this.attempts.delete(attemptKey);
        this.o.metrics.messages.inc({ mailbox: this.key, outcome: outcome.outcome });
        return;
      }
    }
  }

  /** Throws when the session must end: a lost connection or lock, or a stop. */
  private check(): void {
    if (this.aborted) throw this.aborted;
    if (this.stopping) throw new Error('stopping');
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async waitForWake(timeoutMs: number): Promise<void> {
    if (this.woken || this.stopping || this.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.wakeUp = null;
  }

  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), this.stopSignal]);
    clearTimeout(timer);
  }

  private jitter(ms: number): number {
    return Math.round(ms / 2 + (this.o.random ?? Math.random)() * ms);
  }

  private fail(err: unknown, what: string): void {
    this.failures++;
    this.lastError = scrub(err instanceof Error ? err.message : String(err));
    this.lastErrorAt = new Date();
    this.o.log.warn({ mailbox: this.key, err: this.lastError, failures: this.failures }, what);
  }

  private setState(state: ReaderState): void {
    this.state = state;
    for (const s of READER_STATES) this.o.metrics.state.set({ mailbox: this.key, state: s }, s === state ? 1 : 0);
  }

  private setBacklog(count: number): void {
    this.backlog = count;
    this.o.metrics.backlog.set({ mailbox: this.key }, count);
  }
}

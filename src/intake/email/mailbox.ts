import type { ImapFlow } from 'imapflow';
import { scrub, type Logger } from '../../log.js';
import { backoffDelay } from '../../notify/backoff.js';
import { drainMailbox, type DrainProgress } from './mailbox-drain.js';
import type { MailboxLock } from '../../store/mailbox-lock-repository.js';
import { READER_STATES, type MailboxMetrics, type ReaderState } from './mailbox-metrics.js';
import { imapClient, imapLogin, isLoginRefused } from './imap-client.js';
import type { AccessTokens } from '../../mail/oauth/token-manager.js';
import type { EmailReader } from './parse-pool.js';
import type { MailboxSpec } from '../../config/mailbox-url.js';
import type { ReceiveDeps } from './receive.js';

/**
 * One mailbox's reader: holds the mailbox's lock (one reader per mailbox across processes), then
 * reads every message past the durable cursor (UID order; unrelated conversations of a backlog side
 * by side, see lanes.ts) and waits with IDLE (RFC 2177) for more, polling only when the server
 * lacks IDLE. Errors and closed connections end the session; the next starts after an exponential,
 * jittered delay and resumes from the cursor.
 *
 * Nothing here marks or moves a message: each message is claimed in the transaction that stores
 * what it made, and that is what says it was read. With `seen=yes` a message is flagged \Seen only
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
  reader: EmailReader;
  metrics: MailboxMetrics;
  log: Logger;
  /** Access tokens of an `auth=oauth2` mailbox. */
  tokens?: AccessTokens | undefined;
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
  private uidValidity: number | null = null;
  private readonly progress: DrainProgress = { lastUid: 0, claimed: new Set(), received: 0, backlog: 0 };
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private failures = 0;
  private readonly attempts = new Map<string, number>();
  private stopping = false;
  /** Why the current session must end (its connection or its lock lost); each session has its own. */
  private live: { aborted: Error | null } = { aborted: null };
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
      backlog: this.progress.backlog,
      uidValidity: this.uidValidity,
      lastUid: this.reading ? this.progress.lastUid : null,
      received: this.progress.received,
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
        lock = await this.o.receive.tickets.store.mailboxLocks.tryLock(this.key);
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
          this.setState('reconnecting');
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
    // A fresh record: the previous client's late 'close' must not end this session.
    const current = { aborted: null as Error | null };
    this.live = current;
    // A token request that fails ends the session like a refused login: logged, in /ready, retried.
    const login = await imapLogin(spec, this.o.tokens);
    const client = imapClient(spec, login, {
      // We decide when to IDLE: right after catching up, never between two of our own commands.
      disableAutoIdle: true,
      maxIdleTime: this.settings.idleRestartMs,
      connectionTimeout: 30_000,
      socketTimeout: 5 * 60_000,
      // Bounds what one message can cost in memory; larger ones are never downloaded whole (mailbox-fetch.ts).
      maxLiteralSize: this.settings.maxRawBytes + 1024 * 1024,
      clientInfo: { name: 'helpdesk-gateway' },
    });
    this.client = client;
    const abort = (err: Error) => {
      current.aborted ??= err;
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
      this.progress.lastUid = start.lastUid;
      this.progress.claimed = start.claimed;
      this.connected = true;
      this.push = client.capabilities.has('IDLE');
      this.o.log.info({ mailbox: this.key, lastUid: start.lastUid, push: this.push }, 'reading the mailbox');
      for (;;) {
        this.setState('fetching');
        await drainMailbox({
          client,
          uidValidity,
          spec,
          receive: this.o.receive,
          reader: this.o.reader,
          metrics: this.o.metrics,
          log: this.o.log,
          progress: this.progress,
          attempts: this.attempts,
          check: () => this.check(),
          listing: () => (this.woken = false),
          setBacklog: (count) => this.setBacklog(count),
        });
        this.check();
        this.setState(this.push ? 'idle' : 'polling');
        if (this.push) client.idle().catch(() => {});
        await this.waitForWake(this.push ? SAFETY_POLL_MS : spec.pollSeconds * 1000);
        this.check();
      }
    } catch (err) {
      if (this.stopping && !current.aborted) return;
      if ('accessToken' in login && isLoginRefused(err)) {
        // Revoked or expired early: the next session asks for a new token instead of this one.
        this.o.tokens?.rejected(spec.user, login.accessToken);
        throw new Error('the server refused the OAuth2 access token', { cause: err });
      }
      throw current.aborted ?? err;
    } finally {
      this.client = null;
      this.connected = false;
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    }
  }

  /** Throws when the session must end: a lost connection or lock, or a stop. */
  private check(): void {
    if (this.live.aborted) throw this.live.aborted;
    if (this.stopping) throw new Error('stopping');
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async waitForWake(timeoutMs: number): Promise<void> {
    if (this.woken || this.stopping || this.live.aborted) return;
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
    this.progress.backlog = count;
    this.o.metrics.backlog.set({ mailbox: this.key }, count);
  }
}

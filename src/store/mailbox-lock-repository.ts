import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db } from './handle.js';
import { connectionOptions } from './own-connection.js';

/**
 * Exactly one process reads a mailbox: the one holding its Postgres advisory lock. The lock lives
 * on a connection of its own (pg.Client, outside the pool) for as long as the reader reads; when
 * that process dies, or its connection does, Postgres releases the lock and a standby's next try
 * takes it. Losing the connection is reported at once (`lost`) so that the reader stops reading.
 *
 * The mailbox cursor's compare-and-set (mailboxes.claimMany) stays the last word: were two readers
 * ever to overlap, the second one's transaction for a message would find it claimed and write nothing.
 */

/** The two-key advisory lock space (pg_try_advisory_lock(int4, int4)): this namespace for mailboxes. */
const MAILBOX_LOCK_CLASS = 72_040_001;
/** How often the held lock's connection is checked: a dead socket may otherwise go unnoticed. */
const HEARTBEAT_MS = 5_000;

export interface MailboxLock {
  /** Rejects when the lock's connection is lost: the lock is gone with it. */
  lost: Promise<never>;
  release(): Promise<void>;
}

export function createMailboxLockRepository(db: Db) {
  return {
    /** The mailbox's lock, or null when another process holds it. */
    async tryLock(mailboxKey: string): Promise<MailboxLock | null> {
      const client = new pg.Client({ ...connectionOptions(db), keepAlive: true, application_name: 'helpdesk-mail-lock' });
      let failed: (err: Error) => void = () => {};
      const lost = new Promise<never>((_, reject) => (failed = reject));
      // Nobody may be awaiting `lost` yet when it fails; the reader races it later.
      lost.catch(() => {});
      client.on('error', (err) => failed(err));
      client.on('end', () => failed(new Error('the mailbox lock connection ended')));
      try {
        await client.connect();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
          MAILBOX_LOCK_CLASS,
          lockKey(mailboxKey),
        ]);
        if (rows[0]?.locked !== true) {
          await client.end().catch(() => {});
          return null;
        }
      } catch (err) {
        await client.end().catch(() => {});
        throw err;
      }
      const heartbeat = setInterval(() => {
        client.query('SELECT 1').catch((err: Error) => failed(err));
      }, HEARTBEAT_MS);
      heartbeat.unref();
      let released = false;
      return {
        lost,
        async release() {
          if (released) return;
          released = true;
          clearInterval(heartbeat);
          client.removeAllListeners('end');
          client.on('error', () => {});
          // Ending the session releases every advisory lock it held.
          await client.end().catch(() => {});
        },
      };
    },
  };
}

/** A signed 32-bit key from the mailbox's name; distinct mailboxes colliding is a 1-in-4-billion chance per pair. */
function lockKey(mailboxKey: string): number {
  return createHash('sha256').update(mailboxKey).digest().readInt32BE(0);
}

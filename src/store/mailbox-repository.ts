import { hotRows, rows, run, type Db } from './handle.js';
import { inTransaction } from './own-transaction.js';

/**
 * A mailbox's durable cursor (RFC 3501 §2.3.1.1: a UID is only meaningful together with its
 * mailbox's UIDVALIDITY), its claims, and the quarantine of the emails it could not take. A message
 * is claimed in the same transaction as what it produced, so that a crash leaves both or neither.
 */

export interface MailboxStart {
  lastUid: number;
  /** UIDs above the cursor already taken (a batch that was cut short): skipped, never read again. */
  claimed: Set<number>;
  /** The UIDVALIDITY we had, when the server's differs: every message is read again from UID 1. */
  resetFrom: number | null;
}

export function createMailboxRepository(db: Db) {
  return {
    /** Where reading resumes; creates the cursor at UID 0, or restarts it when UIDVALIDITY changed. */
    async start(mailbox: string, uidValidity: number): Promise<MailboxStart> {
      return inTransaction(db, async (tx) => {
        await run(
          tx,
          `INSERT INTO mailbox_cursors (mailbox, uidvalidity, last_uid) VALUES ($mailbox, $uidValidity, 0)
           ON CONFLICT (mailbox) DO NOTHING`,
          { mailbox, uidValidity },
        );
        const [row] = await rows<{ uidvalidity: number; last_uid: number }>(
          tx,
          `SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE mailbox = $mailbox FOR UPDATE`,
          { mailbox },
        );
        if (!row) throw new Error('the mailbox cursor vanished');
        if (Number(row.uidvalidity) !== uidValidity) {
          // Two statements: bound parameters allow one per call.
          await run(
            tx,
            `UPDATE mailbox_cursors SET uidvalidity = $uidValidity, last_uid = 0, updated_at = now() WHERE mailbox = $mailbox`,
            {
              mailbox,
              uidValidity,
            },
          );
          await run(tx, `DELETE FROM mailbox_claims WHERE mailbox = $mailbox`, { mailbox });
          return { lastUid: 0, claimed: new Set<number>(), resetFrom: Number(row.uidvalidity) };
        }
        const claims = await rows<{ uid: number }>(
          tx,
          `SELECT uid FROM mailbox_claims WHERE mailbox = $mailbox AND uidvalidity = $uidValidity AND uid > $lastUid`,
          { mailbox, uidValidity, lastUid: row.last_uid },
        );
        return { lastUid: Number(row.last_uid), claimed: new Set(claims.map((c) => Number(c.uid))), resetFrom: null };
      });
    },

    async get(mailbox: string): Promise<{ uidValidity: number; lastUid: number } | null> {
      const [row] = await rows<{ uidvalidity: number; last_uid: number }>(
        db,
        `SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE mailbox = $mailbox`,
        { mailbox },
      );
      return row ? { uidValidity: Number(row.uidvalidity), lastUid: Number(row.last_uid) } : null;
    },

    /**
     * Takes messages inside the transaction that stores what they made: the UIDs taken. One below
     * the cursor or claimed already (another reader took it; the primary key makes a second
     * transaction wait for the first, then see it) is not, and the caller must write nothing of it.
     */
    async claimMany(mailbox: string, uidValidity: number, uids: readonly number[]): Promise<Set<number>> {
      if (uids.length === 0) return new Set();
      const claimed = await hotRows<{ uid: string }>(
        db,
        `INSERT INTO mailbox_claims (mailbox, uidvalidity, uid)
         SELECT c.mailbox, c.uidvalidity, u.uid FROM mailbox_cursors c, unnest(CAST($uids AS bigint[])) AS u(uid)
          WHERE c.mailbox = $mailbox AND c.uidvalidity = $uidValidity AND c.last_uid < u.uid
         ON CONFLICT DO NOTHING
         RETURNING uid`,
        { mailbox, uidValidity, uids },
      );
      return new Set(claimed.map((r) => Number(r.uid)));
    },

    /** Every UID up to `uid` is done: the cursor moves there and the claims below it go. */
    async advance(mailbox: string, uidValidity: number, uid: number): Promise<void> {
      await inTransaction(db, async (tx) => {
        await run(
          tx,
          `UPDATE mailbox_cursors SET last_uid = GREATEST(last_uid, $uid), updated_at = now()
            WHERE mailbox = $mailbox AND uidvalidity = $uidValidity`,
          { mailbox, uidValidity, uid },
        );
        await run(tx, `DELETE FROM mailbox_claims WHERE mailbox = $mailbox AND (uidvalidity <> $uidValidity OR uid <= $uid)`, {
          mailbox,
          uidValidity,
          uid,
        });
      });
    },

    /** Kept raw so that a fixed parser can replay it; listed by GET /api/quarantine. */
    async quarantine(entry: { mailbox: string; uid: number | null; reason: string; raw: Buffer | null }): Promise<void> {
      // Bound: the raw bytes go as binary (see addAttachmentsMany in email-repository.ts).
      await run(db, `INSERT INTO quarantine (mailbox, uid, reason, raw) VALUES ($mailbox, $uid, $reason, $raw)`, {
        ...entry,
        reason: entry.reason.slice(0, 2_000),
      });
    },
  };
}

import { rows, type Db } from './handle.js';
import type { OutboxChannel } from './outbox-deliveries.js';

/**
 * The dead letters as stored: outbox rows in `failed`, whether they never went out (refused,
 * suppressed, outcome unknown) or went out and were not delivered (an SMS status callback). Only
 * reads: what moves a row into or out of `failed` is outbox-deliveries.ts.
 */

export interface FailedRow {
  id: number;
  ticketId: string | null;
  ticketNumber: number | null;
  kind: string;
  channel: OutboxChannel;
  recipient: string;
  language: string;
  attempts: number;
  errorCode: string | null;
  lastError: string | null;
  createdAt: string;
  failedAt: string | null;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function createDeadLetters(db: Db) {
  return {
    async listFailed(limit: number, offset: number): Promise<{ items: FailedRow[]; total: number }> {
      const [items, counted] = await Promise.all([
        rows<FailedRow>(
          db,
          `SELECT o.id, o.ticket_id AS "ticketId", t.number AS "ticketNumber", o.kind, o.channel, o.recipient, o.language,
                  o.attempts, o.error_code AS "errorCode", o.last_error AS "lastError",
                  ${iso('o.created_at')} AS "createdAt", ${iso('o.failed_at')} AS "failedAt"
             FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id
            WHERE o.status = 'failed' ORDER BY o.failed_at DESC NULLS LAST, o.id DESC LIMIT $limit OFFSET $offset`,
          { limit, offset },
        ),
        rows<{ total: number }>(db, `SELECT count(*)::int AS total FROM outbox WHERE status = 'failed'`),
      ]);
      return { items, total: counted[0]?.total ?? 0 };
    },

    async statusOf(id: number): Promise<string | null> {
      const [row] = await rows<{ status: string }>(db, `SELECT status FROM outbox WHERE id = $id`, { id });
      return row?.status ?? null;
    },
  };
}

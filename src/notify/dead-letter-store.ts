import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { OutboxChannel } from './outbox-store.js';

/**
 * The dead letters as stored: outbox rows in `failed`, whether they never went out (refused,
 * suppressed, outcome unknown) or went out and were not delivered (an SMS status callback).
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

export function createDeadLetterStore(sequelize: Sequelize) {
  async function select<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  return {
    /** A sent SMS that the carrier did not deliver (status callback): it joins the dead letters. */
    async failDelivered(channel: OutboxChannel, externalId: string, error: { code: string; message: string }, tx: Transaction) {
      const [row] = await select<{ id: number; kind: string }>(
        `UPDATE outbox SET status = 'failed', failed_at = now(), last_error = :message, error_code = :code
          WHERE channel = :channel AND external_id = :externalId AND status = 'sent' RETURNING id, kind`,
        { channel, externalId, message: error.message, code: error.code },
        tx,
      );
      return row ?? null;
    },

    async listFailed(limit: number, offset: number): Promise<{ items: FailedRow[]; total: number }> {
      const [items, counted] = await Promise.all([
        select<FailedRow>(
          `SELECT o.id, o.ticket_id AS "ticketId", t.number AS "ticketNumber", o.kind, o.channel, o.recipient, o.language,
                  o.attempts, o.error_code AS "errorCode", o.last_error AS "lastError",
                  ${iso('o.created_at')} AS "createdAt", ${iso('o.failed_at')} AS "failedAt"
             FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id
            WHERE o.status = 'failed' ORDER BY o.failed_at DESC NULLS LAST, o.id DESC LIMIT :limit OFFSET :offset`,
          { limit, offset },
        ),
        select<{ total: number }>(`SELECT count(*)::int AS total FROM outbox WHERE status = 'failed'`, {}),
      ]);
      return { items, total: counted[0]?.total ?? 0 };
    },

    /**
     * A coordinator's retry of a failed row: due now, forced past address suppression, and with no
     * marker (the coordinator decided it should go, whatever an earlier attempt did). Wakes the worker.
     */
    async requeue(
      id: number,
      tx: Transaction,
    ): Promise<{ id: number; ticketId: string | null; kind: string; channel: OutboxChannel } | null> {
      const [row] = await select<{ id: number; ticketId: string | null; kind: string; channel: OutboxChannel }>(
        `UPDATE outbox SET status = 'pending', next_attempt_at = now(), send_started_at = NULL, error_code = NULL,
                failed_at = NULL, forced = true
          WHERE id = :id AND status = 'failed' RETURNING id, ticket_id AS "ticketId", kind, channel`,
        { id },
        tx,
      );
      if (row) await sequelize.query(`SELECT pg_notify('helpdesk_outbox', '')`, { transaction: tx });
      return row ?? null;
    },

    async statusOf(id: number): Promise<string | null> {
      const [row] = await select<{ status: string }>(`SELECT status FROM outbox WHERE id = :id`, { id });
      return row?.status ?? null;
    },
  };
}

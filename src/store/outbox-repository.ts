import { jsonb } from './jsonb.js';
import { hotRows, type Db } from './handle.js';

export interface Notification {
  /** One per cause and recipient: writing it twice is a no-op, sending it twice impossible. */
  idempotencyKey: string;
  ticketId: string | null;
  kind: string;
  channel: 'sms' | 'email';
  recipient: string;
  language: 'fr' | 'en';
  payload: Record<string, unknown>;
}

/**
 * Writes the notifications of a JSON array bound as `$<param>`, once per idempotency key (a second
 * write is a no-op); `where`, an SQL condition, for a step that must happen only if it holds.
 */
export const insertOutboxRows = (param: string, where = 'true') =>
  `INSERT INTO outbox (idempotency_key, ticket_id, kind, channel, recipient, language, payload)
   SELECT o."idempotencyKey", o."ticketId", o.kind, o.channel, o.recipient, o.language, o.payload
     FROM jsonb_to_recordset(CAST($${param} AS jsonb))
       AS o("idempotencyKey" text, "ticketId" uuid, kind text, channel text, recipient text, language text, payload jsonb)
    WHERE ${where}
   ON CONFLICT (idempotency_key) DO NOTHING`;

export function createOutboxRepository(db: Db) {
  const { Outbox } = db.models;
  return {
    async add(notifications: Notification[]): Promise<void> {
      if (notifications.length === 0) return;
      // One plain statement: every ticket change writes here.
      await hotRows(db, insertOutboxRows('rows'), { rows: jsonb(notifications) });
    },

    async forTicket(ticketId: string) {
      const rows = await Outbox.findAll({ where: { ticketId }, order: [['id', 'ASC']], transaction: db.tx });
      return rows.map((r) => r.get({ plain: true }));
    },
  };
}

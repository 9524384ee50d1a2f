import { jsonb } from './jsonb.js';
import { hotRows, rows, type Db } from './handle.js';
import type { Channel } from '../domain/values.js';

export interface NewMessage {
  ticketId: string | null;
  direction: 'in' | 'out';
  channel: Channel;
  sender: string | null;
  recipient: string | null;
  subject?: string | null;
  body: string;
  quoted?: string | null;
  externalId: string;
  status?: string | null;
  at?: Date;
}

/** A file or medium that came with a message: a link (MMS) or kept bytes (an email's attachment, `url` null). */
export interface MessageMedia {
  url: string | null;
  contentType: string | null;
  filename: string | null;
}

/** What a ticket's page shows of a message beyond its new text: the quoted history and signature cut from it, its media. */
export interface MessageOriginal {
  channel: Channel;
  externalId: string;
  quoted: string | null;
  media: MessageMedia[];
}

export function createMessageRepository(db: Db) {
  const { Message } = db.models;
  return {
    /**
     * Records a message once per channel and external id (Message-ID, CallSid, MessageSid).
     * Returns null when it was already there: a redelivered webhook or email.
     */
    async record(message: NewMessage): Promise<string | null> {
      const [id] = await this.recordMany([message]);
      return id ?? null;
    },

    /**
     * record for many messages in one statement: their row ids in the order given, null for each
     * one that was there already (or came twice in `messages`: the first one is recorded).
     */
    async recordMany(messages: readonly NewMessage[]): Promise<(string | null)[]> {
      if (messages.length === 0) return [];
      const now = new Date();
      const rows = messages.map((m) => ({
        ticketId: m.ticketId,
        direction: m.direction,
        channel: m.channel,
        sender: m.sender,
        recipient: m.recipient,
        subject: m.subject ?? null,
        body: m.body,
        quoted: m.quoted ?? null,
        externalId: m.externalId,
        status: m.status ?? null,
        at: m.at ?? now,
      }));
      // ON CONFLICT rather than a caught unique violation: no savepoint round trips, and the
      // caller's transaction stays usable either way.
      const written = await hotRows<{ id: string; channel: string; externalId: string }>(
        db,
        `INSERT INTO messages (ticket_id, direction, channel, sender, recipient, subject, body, quoted, external_id, status, at)
         SELECT m."ticketId", m.direction, m.channel, m.sender, m.recipient, m.subject, m.body, m.quoted, m."externalId", m.status, m.at
           FROM jsonb_to_recordset(CAST($rows AS jsonb))
             AS m("ticketId" uuid, direction text, channel text, sender text, recipient text, subject text, body text,
                  quoted text, "externalId" text, status text, at timestamptz)
         ON CONFLICT (channel, external_id) DO NOTHING
         RETURNING id, channel, external_id AS "externalId"`,
        { rows: jsonb(rows) },
      );
      const ids = new Map(written.map((w) => [`${w.channel} ${w.externalId}`, w.id]));
      return rows.map((row) => {
        const key = `${row.channel} ${row.externalId}`;
        const id = ids.get(key) ?? null;
        ids.delete(key);
        return id;
      });
    },

    /** The stored message's own id, for attachments that arrive with it. */
    async idOf(channel: Channel, externalId: string): Promise<string | null> {
      const row = await Message.findOne({ where: { channel, externalId }, attributes: ['id'], transaction: db.tx });
      return row?.id ?? null;
    },

    async ticketIdOf(channel: Channel, externalId: string): Promise<string | null | undefined> {
      const [row] = await hotRows<{ ticket_id: string | null }>(
        db,
        'SELECT ticket_id FROM messages WHERE channel = $channel AND external_id = $externalId LIMIT 1',
        { channel, externalId },
      );
      return row ? row.ticket_id : undefined;
    },

    /** The ticket's messages that have a quoted part or media, for the page that shows them whole. */
    async originalsOf(ticketId: string): Promise<MessageOriginal[]> {
      return rows<MessageOriginal>(
        db,
        `SELECT m.channel, m.external_id AS "externalId", m.quoted,
                coalesce((SELECT json_agg(json_build_object('url', a.url, 'contentType', a.content_type, 'filename', a.filename)
                                          ORDER BY a.created_at, a.id)
                            FROM attachments a WHERE a.message_id = m.id), '[]'::json) AS media
           FROM messages m
          WHERE m.ticket_id = $ticketId
            AND (m.quoted IS NOT NULL OR EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id))`,
        { ticketId },
      );
    },

    async setStatus(channel: Channel, externalId: string, status: string, error: string | null): Promise<boolean> {
      const changed = await rows<{ id: string }>(
        db,
        'UPDATE messages SET status = $status, error = $error WHERE channel = $channel AND external_id = $externalId RETURNING id',
        { channel, externalId, status, error },
      );
      return changed.length > 0;
    },
  };
}

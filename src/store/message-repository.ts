import type { Sequelize, Transaction } from 'sequelize';
import { hotRows } from './prepared.js';
import type { Channel } from '../domain.js';
import type { Models } from './models/index.js';

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

export function createMessageRepository(sequelize: Sequelize, models: Models) {
  const { Message } = models;
  return {
    /**
     * Records a message once per channel and external id (Message-ID, CallSid, MessageSid).
     * Returns null when it was already there: a redelivered webhook or email.
     */
    async record(message: NewMessage, tx: Transaction): Promise<string | null> {
      // ON CONFLICT rather than a caught unique violation: no savepoint round trips, and the
      // caller's transaction stays usable either way.
      const rows = await hotRows<{ id: string }>(
        sequelize,
        `INSERT INTO messages (ticket_id, direction, channel, sender, recipient, subject, body, quoted, external_id, status, at)
         VALUES ($ticketId, $direction, $channel, $sender, $recipient, $subject, $body, $quoted, $externalId, $status, $at)
         ON CONFLICT (channel, external_id) DO NOTHING
         RETURNING id`,
        {
          ticketId: message.ticketId,
          direction: message.direction,
          channel: message.channel,
          sender: message.sender,
          recipient: message.recipient,
          subject: message.subject ?? null,
          body: message.body,
          quoted: message.quoted ?? null,
          externalId: message.externalId,
          status: message.status ?? null,
          at: message.at ?? new Date(),
        },
        tx,
      );
      return rows[0]?.id ?? null;
    },

    /** The stored message's own id, for attachments that arrive with it. */
    async idOf(channel: Channel, externalId: string): Promise<string | null> {
      const row = await Message.findOne({ where: { channel, externalId }, attributes: ['id'] });
      return row?.id ?? null;
    },

    async ticketIdOf(channel: Channel, externalId: string, tx?: Transaction): Promise<string | null | undefined> {
      const [row] = await hotRows<{ ticket_id: string | null }>(
        sequelize,
        'SELECT ticket_id FROM messages WHERE channel = $channel AND external_id = $externalId LIMIT 1',
        { channel, externalId },
        tx,
      );
      return row ? row.ticket_id : undefined;
    },

    async setStatus(channel: Channel, externalId: string, status: string, error: string | null): Promise<boolean> {
      const [count] = await Message.update({ status, error }, { where: { channel, externalId } });
      return count > 0;
    },
  };
}

export type MessageRepository = ReturnType<typeof createMessageRepository>;

import { UniqueConstraintError, type Transaction } from 'sequelize';
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

export function createMessageRepository(models: Models) {
  const { Message } = models;
  return {
    /**
     * Records a message once per channel and external id (Message-ID, CallSid, MessageSid).
     * Returns null when it was already there: a redelivered webhook or email.
     */
    async record(message: NewMessage, tx: Transaction): Promise<string | null> {
      try {
        // A savepoint, so that a duplicate does not abort the caller's transaction.
        const row = await models.Message.sequelize!.transaction({ transaction: tx }, (sp) =>
          Message.create({ ...message, at: message.at ?? new Date() }, { transaction: sp }),
        );
        return row.id;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return null;
        throw err;
      }
    },

    async ticketIdOf(channel: Channel, externalId: string, tx?: Transaction): Promise<string | null | undefined> {
      const row = await Message.findOne({ where: { channel, externalId }, attributes: ['ticketId'], transaction: tx });
      return row ? row.ticketId : undefined;
    },

    async setStatus(channel: Channel, externalId: string, status: string, error: string | null): Promise<boolean> {
      const [count] = await Message.update({ status, error }, { where: { channel, externalId } });
      return count > 0;
    },
  };
}

export type MessageRepository = ReturnType<typeof createMessageRepository>;

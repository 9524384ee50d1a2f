import type { Transaction } from 'sequelize';
import type { Models } from './models/index.js';

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

export function createOutboxRepository(models: Models) {
  const { Outbox } = models;
  return {
    async add(notifications: Notification[], tx: Transaction): Promise<void> {
      if (notifications.length === 0) return;
      await Outbox.bulkCreate(
        notifications.map((n) => ({ ...n })),
        { transaction: tx, ignoreDuplicates: true },
      );
    },

    async forTicket(ticketId: string) {
      const rows = await Outbox.findAll({ where: { ticketId }, order: [['id', 'ASC']] });
      return rows.map((r) => r.get({ plain: true }));
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;

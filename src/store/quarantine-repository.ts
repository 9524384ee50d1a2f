import type { Db } from './handle.js';

export interface QuarantinedEmail {
  id: string;
  mailbox: string;
  uid: number | null;
  reason: string;
  receivedAt: string;
}

export function createQuarantineRepository(db: Db) {
  const { Quarantine } = db.models;
  return {
    /** Kept raw so that a fixed parser can replay it; the mailbox moves on. */
    async add(input: { mailbox: string; uid: number | null; reason: string; raw: Buffer | null }): Promise<void> {
      await Quarantine.create(input, { transaction: db.tx });
    },

    /** Newest first, with how many there are in all. */
    async list(page: { limit: number; offset: number }): Promise<{ items: QuarantinedEmail[]; total: number }> {
      const { rows, count } = await Quarantine.findAndCountAll({
        attributes: ['id', 'mailbox', 'uid', 'reason', 'receivedAt'],
        order: [
          ['receivedAt', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: page.limit,
        offset: page.offset,
        transaction: db.tx,
      });
      return {
        total: count,
        items: rows.map((r) => ({
          id: r.id,
          mailbox: r.mailbox,
          uid: r.uid,
          reason: r.reason,
          receivedAt: r.receivedAt.toISOString(),
        })),
      };
    },
  };
}

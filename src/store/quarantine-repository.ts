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

    async list(limit = 100): Promise<QuarantinedEmail[]> {
      const rows = await Quarantine.findAll({
        attributes: ['id', 'mailbox', 'uid', 'reason', 'receivedAt'],
        order: [['receivedAt', 'DESC']],
        limit,
        transaction: db.tx,
      });
      return rows.map((r) => ({
        id: r.id,
        mailbox: r.mailbox,
        uid: r.uid,
        reason: r.reason,
        receivedAt: r.receivedAt.toISOString(),
      }));
    },
  };
}

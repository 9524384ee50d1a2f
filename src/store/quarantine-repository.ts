import type { Models } from './models/index.js';

export interface QuarantinedEmail {
  id: string;
  mailbox: string;
  uid: number | null;
  reason: string;
  receivedAt: string;
}

export function createQuarantineRepository(models: Models) {
  const { Quarantine } = models;
  return {
    /** Kept raw so that a fixed parser can replay it; the mailbox moves on. */
    async add(input: { mailbox: string; uid: number | null; reason: string; raw: Buffer | null }): Promise<void> {
      await Quarantine.create(input);
    },

    async list(limit = 100): Promise<QuarantinedEmail[]> {
      const rows = await Quarantine.findAll({
        attributes: ['id', 'mailbox', 'uid', 'reason', 'receivedAt'],
        order: [['receivedAt', 'DESC']],
        limit,
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

export type QuarantineRepository = ReturnType<typeof createQuarantineRepository>;

import { createHash } from 'node:crypto';
import type { Db } from './handle.js';

export type Role = 'coordinator' | 'technician';
export interface Principal {
  role: Role;
  technicianId: string | null;
}

/** Tokens are stored as SHA-256 digests: a database dump does not hand out working credentials. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createTokenRepository(db: Db) {
  const { ApiToken } = db.models;
  return {
    async issue(token: string, principal: Principal): Promise<void> {
      await ApiToken.create(
        { tokenHash: hashToken(token), role: principal.role, technicianId: principal.technicianId },
        { transaction: db.tx },
      );
    },

    async resolve(token: string): Promise<Principal | null> {
      const row = await ApiToken.findOne({ where: { tokenHash: hashToken(token), revokedAt: null }, transaction: db.tx });
      return row ? { role: row.role, technicianId: row.technicianId } : null;
    },

    async hasCoordinator(): Promise<boolean> {
      return (await ApiToken.count({ where: { role: 'coordinator', revokedAt: null }, transaction: db.tx })) > 0;
    },

    /** Every stored coordinator token: HELPDESK_API_TOKEN replaces them. Returns how many were live. */
    async revokeCoordinators(): Promise<number> {
      const [count] = await ApiToken.update(
        { revokedAt: new Date() },
        { where: { role: 'coordinator', revokedAt: null }, transaction: db.tx },
      );
      return count;
    },

    async revokeTechnician(technicianId: string): Promise<void> {
      await ApiToken.update({ revokedAt: new Date() }, { where: { technicianId, revokedAt: null }, transaction: db.tx });
    },
  };
}

export type TokenRepository = ReturnType<typeof createTokenRepository>;

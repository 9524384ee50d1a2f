import { createHash, randomBytes } from 'node:crypto';
import { rows, run, type Db } from './handle.js';
import type { Principal, Role } from './token-repository.js';

export interface Session {
  principal: Principal;
  /** The secret a console form sends back (`_csrf`) to prove it came from a page of ours. */
  csrf: string;
}

/** How long a console sign-in lasts: a working day and its overtime, then the token is asked again. */
const SESSION_HOURS = 12;

const digest = (id: string): string => createHash('sha256').update(id).digest('hex');

export function createSessionRepository(db: Db) {
  return {
    /** A new session for `principal`; the returned id goes into the cookie and is never stored as such. */
    async open(principal: Principal): Promise<{ id: string } & Session> {
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      await run(
        db,
        `INSERT INTO console_sessions (id_hash, role, technician_id, csrf, expires_at)
         VALUES ($idHash, $role, $technicianId, $csrf, now() + make_interval(hours => $hours))`,
        { idHash: digest(id), role: principal.role, technicianId: principal.technicianId, csrf, hours: SESSION_HOURS },
      );
      // Expired sessions go when someone signs in: no timer, and the table stays the size of the desk.
      await run(db, `DELETE FROM console_sessions WHERE expires_at < now()`);
      return { id, principal, csrf };
    },

    /** The live session of that cookie value; a deleted technician's sessions end with them. */
    async resolve(id: string): Promise<Session | null> {
      const [row] = await rows<{ role: Role; technician_id: string | null; csrf: string }>(
        db,
        `SELECT s.role, s.technician_id, s.csrf
           FROM console_sessions s
           LEFT JOIN technicians t ON t.id = s.technician_id
          WHERE s.id_hash = $idHash AND s.expires_at > now()
            AND (s.technician_id IS NULL OR t.deleted_at IS NULL)`,
        { idHash: digest(id) },
      );
      return row ? { principal: { role: row.role, technicianId: row.technician_id }, csrf: row.csrf } : null;
    },

    async end(id: string): Promise<void> {
      await run(db, `DELETE FROM console_sessions WHERE id_hash = $idHash`, { idHash: digest(id) });
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;

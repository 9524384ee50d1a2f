import { QueryTypes, type Sequelize } from 'sequelize';
import type { Language } from '../domain.js';

export interface CallerGreeting {
  /** The requester who owns this number, if any. */
  caller: { id: string; name: string | null; language: Language | null } | null;
  /** Titles of the outages going on now, newest first (as outages.current()). */
  outages: string[];
}

interface Row {
  caller: CallerGreeting['caller'];
  outages: string[];
}

/**
 * What answering a phone call needs first, in one round trip: who is calling (by caller ID) and
 * which outages to announce. Every incoming call starts here, so it is the hot query of the voice
 * webhook; the phone lookup uses the GIN index on requesters.phones.
 */
export function createCallerRepository(sequelize: Sequelize) {
  return {
    async greeting(phone: string | null, now = new Date()): Promise<CallerGreeting> {
      // NULL in the array matches no requester: an unknown or withheld number still gets the outages.
      const [row] = await sequelize.query<Row>(
        `SELECT
           (SELECT json_build_object('id', r.id, 'name', r.name, 'language', r.language)
              FROM requesters r WHERE r.phones @> ARRAY[CAST(:phone AS text)]
              ORDER BY r.created_at LIMIT 1) AS caller,
           (SELECT coalesce(json_agg(o.title ORDER BY o.since DESC), '[]'::json)
              FROM outages o WHERE o.since <= :now AND (o.until IS NULL OR o.until > :now)) AS outages`,
        { replacements: { phone, now }, type: QueryTypes.SELECT },
      );
      return { caller: row?.caller ?? null, outages: row?.outages ?? [] };
    },
  };
}

export type CallerRepository = ReturnType<typeof createCallerRepository>;

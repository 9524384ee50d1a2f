import { rows, type Db } from './handle.js';
import type { Language } from '../domain/values.js';
import type { OutageTranslations } from '../domain/ticket.js';
import { translationsOf } from './outage-repository.js';

export interface CallerGreeting {
  /** The requester who owns this number, if any. */
  caller: { id: string; name: string | null; language: Language | null } | null;
  /** The outages going on now, newest first (as outages.current()): title, and its translations. */
  outages: { title: string; translations: OutageTranslations }[];
}

interface Row {
  caller: CallerGreeting['caller'];
  outages: { title: string; translations: unknown }[];
}

/**
 * What answering a phone call needs first, in one round trip: who is calling (by caller ID) and
 * which outages to announce. Every incoming call starts here, so it is the hot query of the voice
 * webhook; the phone lookup uses the GIN index on requesters.phones.
 */
export function createCallerRepository(db: Db) {
  return {
    async greeting(phone: string | null, now = new Date()): Promise<CallerGreeting> {
      // NULL in the array matches no requester: an unknown or withheld number still gets the outages.
      const [row] = await rows<Row>(
        db,
        `SELECT
           (SELECT json_build_object('id', r.id, 'name', r.name, 'language', r.language)
              FROM requesters r WHERE r.phones @> ARRAY[CAST($phone AS text)]
              ORDER BY r.created_at LIMIT 1) AS caller,
           (SELECT coalesce(json_agg(json_build_object('title', o.title, 'translations', o.translations) ORDER BY o.since DESC), '[]'::json)
              FROM outages o WHERE o.since <= $now AND (o.until IS NULL OR o.until > $now)) AS outages`,
        { phone, now },
      );
      const outages = (row?.outages ?? []).map((o) => ({ title: o.title, translations: translationsOf(o.translations) }));
      return { caller: row?.caller ?? null, outages };
    },
  };
}

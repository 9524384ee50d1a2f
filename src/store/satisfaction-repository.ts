import { rows, type Db } from './handle.js';

/** Who sent a bare digit: an email address (lower-cased) or a phone number, or both. */
export interface SurveyContact {
  email: string | null;
  phone: string | null;
}

export function createSatisfactionRepository(db: Db) {
  return {
    /**
     * The id of this person's most recently closed ticket, closed within `days` and not rated yet;
     * null when there is none.
     */
    async awaitingScore(contact: SurveyContact, days: number): Promise<string | null> {
      const [row] = await rows<{ id: string }>(
        db,
        `SELECT t.id FROM tickets t JOIN requesters r ON r.id = t.requester_id
          WHERE (CAST($email AS text) IS NOT NULL AND r.emails @> ARRAY[CAST($email AS text)]
              OR CAST($phone AS text) IS NOT NULL AND r.phones @> ARRAY[CAST($phone AS text)])
            AND t.status = 'closed' AND t.satisfaction IS NULL
            AND t.closed_at > now() - make_interval(days => CAST($days AS int))
          ORDER BY t.closed_at DESC LIMIT 1`,
        { email: contact.email, phone: contact.phone, days },
      );
      return row?.id ?? null;
    },
  };
}

import { rows, run, type Db } from './handle.js';

/** Any constant of ours: the storm sweeps of several worker processes take turns (pg_advisory_xact_lock). */
const STORM_SWEEP_LOCK = 72_016_086;

/** What a storm alert covers: the group's seed (its identity) and every ticket of it. */
export interface StormGroup {
  seedTicketId: string;
  ticketIds: readonly string[];
  numbers: readonly number[];
}

/** An open ticket as suggestions compare it (rules/suggestions.ts). */
export interface RecentOpenTicket {
  id: string;
  number: number;
  category: string | null;
  subject: string;
  /** Its first 300 characters. */
  description: string;
  createdAt: Date;
}

export function createSuggestionRepository(db: Db) {
  return {
    /**
     * The open tickets opened since `since` and not already linked to an outage (those have their
     * cause), newest first, at most `cap`: the candidates of the suggestions. tickets_open_recent_idx
     * (migration 086) reads just the window; the description is cut to what tells the cause.
     */
    async recentOpen(since: Date, cap: number): Promise<RecentOpenTicket[]> {
      return rows<RecentOpenTicket>(
        db,
        `SELECT id, number, category, subject, left(description, 300) AS description, created_at AS "createdAt"
           FROM tickets
          WHERE status IN ('new', 'assigned', 'in_progress', 'pending') AND created_at >= $since AND outage_id IS NULL
          ORDER BY created_at DESC LIMIT $cap`,
        { since, cap },
      );
    },

    /** Storm sweeps take turns until the end of the transaction: two never alert for one group. */
    async lockStormSweep(): Promise<void> {
      await run(db, 'SELECT pg_advisory_xact_lock($key)', { key: STORM_SWEEP_LOCK });
    },

    /**
     * Records a storming group. 'alerted' when it is new: no ticket of it was covered by an alert
     * before, and its seed had none. 'known' otherwise, its newcomers then added to the alert that
     * covers the group, so that they do not make it look new later.
     */
    async recordStorm(group: StormGroup): Promise<'alerted' | 'known'> {
      const ids = [...group.ticketIds];
      const [covered] = await rows<{ alertId: string }>(
        db,
        'SELECT alert_id AS "alertId" FROM storm_alert_tickets WHERE ticket_id = ANY(CAST($ids AS uuid[])) LIMIT 1',
        { ids },
      );
      let alertId = covered?.alertId;
      let outcome: 'alerted' | 'known' = 'known';
      if (!alertId) {
        const [created] = await rows<{ id: string }>(
          db,
          `INSERT INTO storm_alerts (seed_ticket_id, numbers) VALUES ($seed, CAST($numbers AS integer[]))
           ON CONFLICT (seed_ticket_id) DO NOTHING RETURNING id`,
          { seed: group.seedTicketId, numbers: [...group.numbers] },
        );
        if (!created) return 'known';
        alertId = created.id;
        outcome = 'alerted';
      }
      await run(
        db,
        `INSERT INTO storm_alert_tickets (ticket_id, alert_id)
         SELECT t, CAST($alertId AS uuid) FROM unnest(CAST($ids AS uuid[])) AS t ON CONFLICT (ticket_id) DO NOTHING`,
        { ids, alertId },
      );
      return outcome;
    },
  };
}

import type { MigrationContext } from './types.js';

/**
 * #16, recurrence seen early.
 * - Suggestions read the open tickets of the last two hours that no outage holds, newest first
 *   (store/suggestion-repository.ts): a partial index on their creation time makes that a short range
 *   scan however large the backlog (100,000 open tickets) or the history. Its predicate is written
 *   exactly as that query writes it, for the planner to match it; `outage_id IS NULL` is part of it
 *   so that the console queue's search (all open tickets, migration 063) can never match it: with the
 *   queue's predicate alone, the planner read every open ticket through this index to filter them by
 *   ILIKE (165 ms for a word over 100,000 open tickets) instead of using the trigram index (20 ms).
 * - A storm alerts the coordinator once per group: `storm_alerts` is unique on the group's seed (its
 *   earliest ticket), and `storm_alert_tickets` holds every ticket a storm alert has covered, once
 *   (its primary key): a later sweep that finds one of them in a storming group adds the newcomers
 *   to that alert instead of alerting again, even when the group's seed has since been resolved.
 */
const OPEN = `status IN ('new', 'assigned', 'in_progress', 'pending')`;

export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE INDEX tickets_open_recent_idx ON tickets (created_at) WHERE ${OPEN} AND outage_id IS NULL;
    CREATE TABLE storm_alerts (
      id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seed_ticket_id  uuid NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
      numbers         integer[] NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE storm_alert_tickets (
      ticket_id  uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      alert_id   uuid NOT NULL REFERENCES storm_alerts(id) ON DELETE CASCADE
    );
    CREATE INDEX storm_alert_tickets_alert_idx ON storm_alert_tickets (alert_id);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS storm_alert_tickets;
    DROP TABLE IF EXISTS storm_alerts;
    DROP INDEX IF EXISTS tickets_open_recent_idx;
  `);
}

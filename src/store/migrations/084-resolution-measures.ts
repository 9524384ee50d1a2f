import type { MigrationContext } from './types.js';

/**
 * The measures of issue #16 (store/stats-series.ts):
 * - first-contact resolution is a ticket resolved by its FIRST assignee, never reassigned, escalated
 *   or reopened. `reassignments` counted only an offer that took the ticket from a technician holding
 *   it; a ticket declined or let expire (back to nobody) and then offered to someone else was not
 *   counted. tickets.first_assignee_id remembers who had it first (set by the first offer), so that
 *   every later offer to someone else counts (tickets/actions.ts offerDecision). Tickets assigned
 *   before this migration have none: their count stays as it was.
 * - the share resolved at tier 1 reads `tier`; the self-service rate asks whether a ticket's
 *   resolution came from an article link, which only its `resolved` event says: a small partial
 *   index holds those events by time, so that a statistics query reads those since the start of its
 *   period (a ticket is resolved after it is opened) once, as a hashed set of ticket ids.
 * tickets_stats_idx gains the columns these read (id, tier, assignee_id), so that a period is still
 * one index-only range scan. The kept daily sums were computed by the former definition: dropped,
 * they are computed again at the next look.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE tickets ADD COLUMN first_assignee_id uuid;
    DROP INDEX IF EXISTS tickets_stats_idx;
    CREATE INDEX tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens, id, tier, assignee_id);
    CREATE INDEX ticket_events_self_service_idx ON ticket_events (at) INCLUDE (ticket_id)
      WHERE type = 'resolved' AND data->>'via' = 'self-service';
    DELETE FROM stats_days;
    DELETE FROM stats_watermark;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS ticket_events_self_service_idx;
    DROP INDEX IF EXISTS tickets_stats_idx;
    CREATE INDEX tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens);
    ALTER TABLE tickets DROP COLUMN IF EXISTS first_assignee_id;
    DELETE FROM stats_days;
    DELETE FROM stats_watermark;
  `);
}

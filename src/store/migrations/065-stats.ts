import type { MigrationContext } from './types.js';

/**
 * The statistics (GET /api/stats, the console's /stats) read every ticket opened in a period: a
 * year of a busy desk is a million rows. This index holds, in created_at order, every column those
 * figures read, so a period is one index-only range scan (about a sixth of the table's pages: the
 * subject and description stay out) instead of a walk through the heap. A ticket's update that
 * changes one of these columns can no longer be a HOT update; most already change the status,
 * which tickets_status_idx indexes.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE INDEX IF NOT EXISTS tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP INDEX IF EXISTS tickets_stats_idx;`);
}

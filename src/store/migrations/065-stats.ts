import type { MigrationContext } from './types.js';

/**
 * The statistics (GET /api/stats, the console's /stats) read every ticket opened in a period: a
 * year of a busy desk is a million rows.
 *
 * tickets_stats_idx holds, in created_at order, every column those figures read, so a period is one
 * index-only range scan (about a sixth of the table's pages: the subject and description stay out)
 * instead of a walk through the heap. A ticket's update that changes one of these columns can no
 * longer be a HOT update; most already change the status, which tickets_status_idx indexes.
 *
 * Even so a year is a million rows to aggregate, seconds on a small machine; yet a day long past
 * rarely changes. stats_days keeps each day's sums (per time zone: a day is the desk's day), and
 * tickets_updated_idx finds the days whose tickets changed since stats_watermark, whose sums are
 * dropped and computed again (store/stats-series.ts).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE INDEX IF NOT EXISTS tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens);
    CREATE INDEX IF NOT EXISTS tickets_updated_idx ON tickets (updated_at) INCLUDE (created_at);
    CREATE TABLE stats_days (
      timezone  text NOT NULL,
      day       date NOT NULL,
      sums      jsonb NOT NULL,
      PRIMARY KEY (timezone, day)
    );
    CREATE TABLE stats_watermark (
      timezone    text PRIMARY KEY,
      checked_at  timestamptz NOT NULL
    );
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS stats_watermark;
    DROP TABLE IF EXISTS stats_days;
    DROP INDEX IF EXISTS tickets_updated_idx;
    DROP INDEX IF EXISTS tickets_stats_idx;
  `);
}

import type { MigrationContext } from './types.js';

/**
 * The statistics split by type (issue #17, `byType`): tickets_stats_idx gains `type` (migration
 * 091), so that a period is still one index-only range scan (see migration 065). The kept daily
 * sums were computed without it: dropped, they are computed again at the next look.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS tickets_stats_idx;
    CREATE INDEX tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens, id, tier, assignee_id, type);
    DELETE FROM stats_days;
    DELETE FROM stats_watermark;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS tickets_stats_idx;
    CREATE INDEX tickets_stats_idx ON tickets (created_at)
      INCLUDE (channel, priority, status, category, satisfaction, responded_at, resolved_at, resolve_by, breached,
               reassignments, escalations, reopens, id, tier, assignee_id);
    DELETE FROM stats_days;
    DELETE FROM stats_watermark;
  `);
}

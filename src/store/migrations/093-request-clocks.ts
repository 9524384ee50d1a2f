import type { MigrationContext } from './types.js';

/**
 * When a ticket's SLA clocks started, where that is not its creation: a request's clocks start when
 * it is approved (issue #17), so that a later escalation or change of priority computes its new
 * deadlines from that moment, not from the days it waited for its approvers. Null: at creation.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE tickets ADD COLUMN clocks_started_at timestamptz;`);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE tickets DROP COLUMN clocks_started_at;`);
}

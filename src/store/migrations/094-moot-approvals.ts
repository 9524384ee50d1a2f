import type { MigrationContext } from './types.js';

/**
 * An approval left unanswered when its request was decided (by another approver, or a coordinator)
 * is moot from then on (issue #17): a request reopened after its rejection waits for a coordinator,
 * and the old link or SMS of an approver who never answered can no longer decide it, nor be reminded.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE approvals ADD COLUMN moot_at timestamptz;`);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE approvals DROP COLUMN moot_at;`);
}

import type { MigrationContext } from './types.js';

/**
 * An outage's title and message in other languages than the one it was written in:
 * `{"en": {"title": …, "message": …}, "fr": {…}}`. The voice menu says the caller's language's
 * title when there is one, and the written one otherwise.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE outages ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'::jsonb;`);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`ALTER TABLE outages DROP COLUMN translations;`);
}

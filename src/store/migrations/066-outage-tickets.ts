import type { MigrationContext } from './types.js';

/**
 * The outages page lists each recent outage's linked tickets (tickets.outage_id) and reads them
 * again at every ticket event while it is open. Few tickets carry the link, so a partial index on it
 * is small and costs nothing to the writes of the others; without it each read walks the table.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`CREATE INDEX IF NOT EXISTS tickets_outage_idx ON tickets (outage_id, created_at DESC) WHERE outage_id IS NOT NULL;`);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP INDEX IF EXISTS tickets_outage_idx;`);
}

import type { MigrationContext } from './types.js';

/**
 * The console's sign-in sessions. Only a digest of the session id is kept (a dump of this table
 * signs nobody in); the CSRF secret is per session, so a token leaked from one browser is useless
 * in another. A session dies with its technician's token: it points at the principal, not a copy.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE console_sessions (
      id_hash       text PRIMARY KEY,
      role          text NOT NULL CHECK (role IN ('coordinator', 'technician')),
      technician_id uuid REFERENCES technicians(id),
      csrf          text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      expires_at    timestamptz NOT NULL
    );
    CREATE INDEX console_sessions_expiry_idx ON console_sessions (expires_at);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE console_sessions;`);
}

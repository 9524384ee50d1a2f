import type { MigrationContext } from './types.js';

/**
 * Refresh tokens of `helpdesk mailbox login` (OAuth2 device flow, issue #15), one per login, sealed
 * with AES-256-GCM by the key in HELPDESK_DATA_DIR (src/mail/oauth/sealed.ts): the table alone
 * opens nothing. `key_id` names the key that sealed a row, so that a host with another key says so.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE oauth_refresh_tokens (
      account    text PRIMARY KEY,
      sealed     bytea NOT NULL,
      key_id     text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE oauth_refresh_tokens;`);
}

import type { MigrationContext } from './types.js';

/**
 * `mailbox_claims`: the UIDs above a mailbox's cursor already taken, each inserted in the transaction
 * that stored what its email made. A backlog is read on several lanes at once, so emails commit out
 * of UID order; the cursor (mailbox_cursors.last_uid) moves once every UID below it is done, and the
 * claims under it are deleted then. A reader resuming skips the claimed UIDs above the cursor.
 *
 * What the email intake asks of the messages table on every email it receives:
 * - the storm cap counts one sender's recent inbound emails: by address and time;
 * - threading matches In-Reply-To/References against Message-IDs, already served by the unique
 *   (channel, external_id) index, and a ticket's recent inbound emails by (ticket_id, at).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE mailbox_claims (
      mailbox      text NOT NULL,
      uidvalidity  bigint NOT NULL,
      uid          bigint NOT NULL,
      PRIMARY KEY (mailbox, uidvalidity, uid)
    );
    CREATE INDEX messages_inbound_sender_idx ON messages (lower(sender), at) WHERE direction = 'in';
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP INDEX IF EXISTS messages_inbound_sender_idx; DROP TABLE IF EXISTS mailbox_claims;`);
}

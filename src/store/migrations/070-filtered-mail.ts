import type { MigrationContext } from './types.js';

/**
 * Mail that opened no ticket and landed on none (bounces naming nothing of ours, automatic and list
 * mail answering nothing, our own mail come back, a storm past its cap): kept, with why, so that
 * nothing the desk receives disappears without a trace (issue #14), and a person can still decide
 * it was a request. The raw message is kept so that turning it into a ticket runs the very path an
 * email ticket takes (parse, requester, watchers, attachments); the reader's size limit bounds it.
 * One row per message of a mailbox: a redelivery (the same Message-ID) adds nothing.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE filtered_mail (
      id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      mailbox        text NOT NULL,
      uid            integer,
      message_id     text NOT NULL,
      sender         text,
      subject        text NOT NULL DEFAULT '',
      reason_code    text NOT NULL,
      reason         text NOT NULL,
      received_at    timestamptz NOT NULL DEFAULT now(),
      raw            bytea NOT NULL,
      category       text,
      urgency        text,
      desk_addresses text[] NOT NULL DEFAULT '{}',
      ticket_id      uuid REFERENCES tickets(id),
      UNIQUE (mailbox, message_id)
    );
    CREATE INDEX filtered_mail_received_idx ON filtered_mail (received_at DESC, id);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE filtered_mail;`);
}

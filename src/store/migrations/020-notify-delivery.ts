import type { MigrationContext } from './types.js';

/**
 * What the notification worker needs to deliver each outbox row exactly once (see
 * src/notify/deliver.ts for how the columns are used):
 * - `send_started_at`: set just before a vendor call, cleared once its outcome is known. A row found
 *   with it set had a send whose outcome nobody recorded (a crash, a timeout): it is reconciled first.
 * - `rendered`: the message exactly as first rendered (with the email's Message-ID and threading
 *   headers), so that every retry sends the same bytes and a lookup can recognise them.
 * - `error_code`, `failed_at`: our SendError code and when the row gave up, for the dead-letter view.
 * - `forced`: a coordinator asked for a retry; address suppression does not apply to it.
 * And a NOTIFY on insert, so that the worker hears of new rows as their transaction commits.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE outbox
      ADD COLUMN send_started_at timestamptz,
      ADD COLUMN rendered        jsonb,
      ADD COLUMN error_code      text,
      ADD COLUMN failed_at       timestamptz,
      ADD COLUMN forced          boolean NOT NULL DEFAULT false;

    -- the dead-letter view: failed rows, newest first.
    CREATE INDEX outbox_failed_idx ON outbox (failed_at DESC) WHERE status = 'failed';
    -- address suppression: earlier permanent failures to the same recipient.
    CREATE INDEX outbox_failed_recipient_idx ON outbox (lower(recipient)) WHERE status = 'failed';
    -- a delivery status callback finds its row by MessageSid.
    CREATE INDEX outbox_external_idx ON outbox (channel, external_id) WHERE external_id IS NOT NULL;
    -- address suppression: bounced or failed outbound messages to the same recipient.
    CREATE INDEX messages_out_failed_idx ON messages (lower(recipient))
      WHERE direction = 'out' AND status IN ('failed', 'undelivered', 'bounced');

    -- NOTIFY is delivered at commit, and only then: the worker never sees a row that may roll back.
    -- Per statement, and with an empty payload that Postgres folds within a transaction: one wake-up
    -- per change, however many rows it wrote.
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('helpdesk_outbox', '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TRIGGER IF EXISTS outbox_notify ON outbox;
    DROP FUNCTION IF EXISTS outbox_notify();
    DROP INDEX IF EXISTS outbox_failed_idx, outbox_failed_recipient_idx, outbox_external_idx, messages_out_failed_idx;
    ALTER TABLE outbox
      DROP COLUMN IF EXISTS send_started_at,
      DROP COLUMN IF EXISTS rendered,
      DROP COLUMN IF EXISTS error_code,
      DROP COLUMN IF EXISTS failed_at,
      DROP COLUMN IF EXISTS forced;
  `);
}

import type { MigrationContext } from './types.js';

/**
 * `superseded`: an outbox row that was not sent because what it announced stopped being true before
 * it could go out (an offer declined, expired or given to someone else while the SMS channel was
 * down). Its `error_code` and `last_error` say why, and `failed_at` when it was set aside; it is
 * settled, like `sent` and `failed`, and never due again.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
      CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'superseded'));
    -- a reminder's look for its offer's text (notify/outbox-store.ts offerFacts): offers only, so
    -- the hot insert of every other notification pays nothing.
    CREATE INDEX IF NOT EXISTS outbox_offer_idx ON outbox (ticket_id, recipient) WHERE kind = 'technician.offer';
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS outbox_offer_idx;
    UPDATE outbox SET status = 'failed' WHERE status = 'superseded';
    ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'));
  `);
}

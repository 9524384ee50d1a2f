import type { MigrationContext } from './types.js';

/**
 * Service requests and their approvals (issue #17).
 *
 * A ticket is an incident (something broken) or a request (something asked for from the catalog);
 * a request waits in `awaiting_approval`, before `new`, until its approvers answer. A child task
 * points at the request it fulfils (`parent_id`), so the request is resolved when its tasks are.
 *
 * `ticket_requests` holds what was asked (the item and its fields) apart from the ticket row: the
 * hot paths read tickets, and only a request's page reads this. `approvals` is one row per approver
 * asked, in the item's order (`position`); a decision is written once (`decided_at` with it) by a
 * conditional UPDATE, so two answers at once leave one decision. `asked_at`, `reminded_at` and
 * `escalated_at` are the reminder sweep's marks.
 *
 * The requester's manager (`requesters.manager_*`) is who an item's `{"manager": true}` approver
 * stands for: given by a coordinator through the API, who vouches for it.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_status_check;
    ALTER TABLE tickets ADD CONSTRAINT tickets_status_check
      CHECK (status IN ('awaiting_approval', 'new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'));
    ALTER TABLE tickets
      ADD COLUMN type text NOT NULL DEFAULT 'incident' CHECK (type IN ('incident', 'request')),
      ADD COLUMN parent_id uuid REFERENCES tickets(id);
    CREATE INDEX tickets_parent_idx ON tickets (parent_id) WHERE parent_id IS NOT NULL;

    ALTER TABLE requesters
      ADD COLUMN manager_name text,
      ADD COLUMN manager_email text,
      ADD COLUMN manager_phone text;

    CREATE TABLE ticket_requests (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      item_id   text NOT NULL REFERENCES catalog_items(id) ON UPDATE CASCADE,
      fields    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object'),
      approval  text NOT NULL CHECK (approval IN ('any', 'all'))
    );

    CREATE TABLE approvals (
      id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id    uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      position     integer NOT NULL,
      name         text,
      email        text,
      phone        text,
      language     text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
      decision     text CHECK (decision IN ('approved', 'rejected')),
      via          text CHECK (via IN ('link', 'sms', 'api')),
      comment      text,
      decided_at   timestamptz,
      asked_at     timestamptz NOT NULL DEFAULT now(),
      reminded_at  timestamptz,
      escalated_at timestamptz,
      UNIQUE (ticket_id, position),
      CHECK (email IS NOT NULL OR phone IS NOT NULL),
      CHECK ((decision IS NULL) = (decided_at IS NULL))
    );
    -- The reminder sweep reads only the pending ones.
    CREATE INDEX approvals_pending_idx ON approvals (asked_at) WHERE decision IS NULL;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS approvals;
    DROP TABLE IF EXISTS ticket_requests;
    ALTER TABLE requesters DROP COLUMN IF EXISTS manager_name, DROP COLUMN IF EXISTS manager_email, DROP COLUMN IF EXISTS manager_phone;
    DROP INDEX IF EXISTS tickets_parent_idx;
    ALTER TABLE tickets DROP COLUMN IF EXISTS parent_id, DROP COLUMN IF EXISTS type;
    ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_status_check;
    ALTER TABLE tickets ADD CONSTRAINT tickets_status_check
      CHECK (status IN ('new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'));
  `);
}

import type { MigrationContext } from './types.js';

/**
 * Problems (issue #16): the cause behind incidents. An incident (a ticket) belongs to one problem at
 * most, so the link is keyed by the ticket; the problem's page reads its incidents by problem_id.
 *
 * `resolution_owed_at` is the durable job of "resolve this incident with its problem's resolution":
 * set, in the problem's resolving transaction, on every link whose ticket was open then; cleared in
 * the same transaction as the ticket's resolution (tickets/problem-resolutions.ts). A worker killed
 * halfway leaves the rest set, and an incident resolved already is never resolved (nor told) again.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE problems (
      id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title       text NOT NULL,
      status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'known_error', 'resolved')),
      root_cause  text,
      workaround  text,
      outage_id   uuid REFERENCES outages(id) ON DELETE SET NULL,
      resolution  text,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz
    );
    CREATE INDEX problems_created_idx ON problems (created_at DESC);
    CREATE TABLE problem_incidents (
      ticket_id          uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      problem_id         uuid NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
      linked_at          timestamptz NOT NULL DEFAULT now(),
      resolution_owed_at timestamptz
    );
    CREATE INDEX problem_incidents_problem_idx ON problem_incidents (problem_id, linked_at);
    CREATE INDEX problem_incidents_owed_idx ON problem_incidents (resolution_owed_at) WHERE resolution_owed_at IS NOT NULL;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS problem_incidents;
    DROP TABLE IF EXISTS problems;
  `);
}

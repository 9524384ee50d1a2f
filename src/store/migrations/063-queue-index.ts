import type { MigrationContext } from './types.js';

/**
 * The console's queue (store/queue-query.ts): open tickets by their next pending SLA deadline
 * (`respond_by` until responded, then `resolve_by`), then the oldest. Partial on the open statuses,
 * so the indexes hold the desk's backlog (a tenth of the table or less), not its history.
 * - by deadline: the page is the first rows of an ordered scan, however large the backlog;
 * - by assignee, then deadline: a technician's own queue and the "assigned to" filter (nobody
 *   included: `assignee_id IS NULL`) without walking everyone else's tickets;
 * - by the filterable columns: the page's total counted from the index alone (an index-only scan
 *   of the matching range, or a skip scan: 100,000 open tickets in ~10 ms, P1 alone in ~1 ms, where
 *   the deadline index took 15-40 ms for either). Few distinct keys: btree deduplication keeps it
 *   to about a megabyte.
 * The expression must stay written exactly as the query writes it for the planner to match it.
 *
 * The search box: `ILIKE '%…%'` reads every row it is not given an index for. Trigram indexes
 * (pg_trgm) on the open tickets' subject and description and on the requesters' name, emails and
 * phones keep it to the rows that match. pg_trgm is a trusted extension (PostgreSQL 13+: the
 * database's owner may create it); where it cannot be created the search still works, by scanning.
 * `joined_words` is array_to_string declared immutable (it is, for text[]: no setting changes how
 * text prints), which an index expression must be.
 */
const DEADLINE = '(CASE WHEN responded_at IS NULL THEN respond_by ELSE resolve_by END)';
const OPEN = `status IN ('new', 'assigned', 'in_progress', 'pending')`;

export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE INDEX tickets_queue_deadline_idx ON tickets (${DEADLINE}, created_at, number) WHERE ${OPEN};
    CREATE INDEX tickets_queue_assignee_idx ON tickets (assignee_id, ${DEADLINE}, created_at, number) WHERE ${OPEN};
    CREATE INDEX tickets_open_filters_idx ON tickets (priority, channel, status, category, assignee_id) WHERE ${OPEN};

    CREATE FUNCTION joined_words(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_to_string($1, ' ') $$;

    DO $$
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
      RAISE NOTICE 'pg_trgm could not be created: the queue searches without trigram indexes';
    END $$;
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX tickets_open_search_idx ON tickets USING gin (subject gin_trgm_ops, description gin_trgm_ops)
                   WHERE ${OPEN.replace(/'/g, "''")}';
        EXECUTE 'CREATE INDEX requesters_search_idx ON requesters
                   USING gin (name gin_trgm_ops, joined_words(emails) gin_trgm_ops, joined_words(phones) gin_trgm_ops)';
      END IF;
    END $$;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS requesters_search_idx;
    DROP INDEX IF EXISTS tickets_open_search_idx;
    DROP FUNCTION joined_words(text[]);
    DROP INDEX tickets_open_filters_idx;
    DROP INDEX tickets_queue_assignee_idx;
    DROP INDEX tickets_queue_deadline_idx;
  `);
}

import type { MigrationContext } from './types.js';

/**
 * The console's queue (store/queue-query.ts): open tickets by their next pending SLA deadline
 * (`respond_by` until responded, then `resolve_by`), then the oldest. Partial on the open statuses,
 * so the index holds the desk's backlog (a tenth of the table or less), not its history.
 * - by deadline: the page is the first rows of an ordered scan, however large the backlog; the
 *   filterable columns ride along (INCLUDE) so the page's total is counted from the index alone;
 * - by assignee, then deadline: a technician's own queue and the "assigned to" filter (nobody
 *   included: `assignee_id IS NULL`) without walking everyone else's tickets.
 * The expression must stay written exactly as the query writes it (QUEUE_DEADLINE) for the planner
 * to match it.
 */
const DEADLINE = '(CASE WHEN responded_at IS NULL THEN respond_by ELSE resolve_by END)';
const OPEN = `status IN ('new', 'assigned', 'in_progress', 'pending')`;

export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE INDEX tickets_queue_deadline_idx ON tickets (${DEADLINE}, created_at, number)
      INCLUDE (status, priority, channel, category, assignee_id) WHERE ${OPEN};
    CREATE INDEX tickets_queue_assignee_idx ON tickets (assignee_id, ${DEADLINE}, created_at, number) WHERE ${OPEN};
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP INDEX tickets_queue_assignee_idx; DROP INDEX tickets_queue_deadline_idx;`);
}

import type { Channel, Priority, TicketStatus, TicketType } from '../domain/values.js';
import { reference } from '../domain/values.js';
import { QUEUE_MOVES } from '../domain/queue-moves.js';
import type { Ticket } from '../domain/ticket.js';
import { rows, type Bind, type Db } from './handle.js';
import { filterClauses, type TicketFilterFields } from './ticket-queries.js';

export const OPEN_STATUSES = ['new', 'assigned', 'in_progress', 'pending'] as const satisfies readonly TicketStatus[];
/**
 * What the queue may show when asked by status: the open tickets, and the service requests still
 * awaiting approval (nobody may work on those yet, so the queue leaves them out unless asked).
 */
export const QUEUE_STATUSES = ['awaiting_approval', ...OPEN_STATUSES] as const satisfies readonly TicketStatus[];

/**
 * The next pending SLA deadline: the response target until someone responded, then the resolution
 * target. Written exactly as migration 063's indexes write it, or the planner would not use them.
 */
const DEADLINE = '(CASE WHEN t.responded_at IS NULL THEN t.respond_by ELSE t.resolve_by END)';
/** Also the indexes' predicate: the planner proves a narrower status filter implies it. */
const OPEN = `t.status IN ('new', 'assigned', 'in_progress', 'pending')`;
/** Few rows (tickets_status_idx finds them): no deadline yet, so they come after every open ticket. */
const OPEN_OR_AWAITING = `t.status IN ('awaiting_approval', 'new', 'assigned', 'in_progress', 'pending')`;
/** Overdue first (the earliest deadline), then the oldest; the number breaks ties so that pages never overlap. */
const ORDER = `${DEADLINE} ASC, t.created_at ASC, t.number ASC`;

export interface QueueFilter extends Omit<TicketFilterFields, 'requesterId'> {
  limit: number;
  offset: number;
}

export interface QueueItem {
  id: string;
  number: number;
  reference: string;
  type: TicketType;
  subject: string;
  priority: Priority;
  status: TicketStatus;
  channel: Channel;
  category: string | null;
  requester: Ticket['requester'];
  assignee: Ticket['assignee'];
  /** As the API's `sla` shows it. */
  sla: Ticket['sla'];
  /** The deadline the queue is ordered by and counts down to; null when the ticket has no SLA target. */
  due: { clock: 'response' | 'resolution'; at: string } | null;
  /**
   * `pending` on the requester: the clock stands still since `since`, and the deadline moves out by
   * the pause when it restarts (tickets/actions.ts resumeClock).
   */
  paused: { since: string | null } | null;
  /** Routing looked and found nobody who may take it: it waits until someone becomes available. */
  nobodyEligible: boolean;
  createdAt: string;
}

interface QueueRow {
  id: string;
  number: string | number;
  type: TicketType;
  subject: string;
  priority: Priority;
  status: TicketStatus;
  channel: Channel;
  category: string | null;
  requester_id: string;
  r_name: string | null;
  r_email: string | null;
  r_phone: string | null;
  assignee_id: string | null;
  a_name: string | null;
  respond_by: Date | null;
  resolve_by: Date | null;
  responded_at: Date | null;
  breached: boolean;
  paused_at: Date | null;
  created_at: Date;
  nobody_eligible: boolean;
  total: number | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toItem(row: QueueRow): QueueItem {
  const clock = row.responded_at ? 'resolution' : 'response';
  const dueAt = clock === 'response' ? row.respond_by : row.resolve_by;
  return {
    id: row.id,
    number: Number(row.number),
    reference: reference(row.number),
    type: row.type,
    subject: row.subject,
    priority: row.priority,
    status: row.status,
    channel: row.channel,
    category: row.category,
    requester: { id: row.requester_id, name: row.r_name, email: row.r_email, phone: row.r_phone },
    assignee: row.assignee_id ? { id: row.assignee_id, name: row.a_name ?? '' } : null,
    sla: { respondBy: iso(row.respond_by), resolveBy: iso(row.resolve_by), respondedAt: iso(row.responded_at), breached: row.breached },
    due: dueAt ? { clock, at: dueAt.toISOString() } : null,
    paused: row.status === 'pending' || row.paused_at !== null ? { since: iso(row.paused_at) } : null,
    nobodyEligible: row.nobody_eligible,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The console's queue: open tickets only, by the next pending deadline (see migration 063). The
 * page is chosen first (ids only), and only its rows are then joined with requesters and assignees
 * and looked up in the event log. Without a search the page is the head of an ordered index scan
 * and the total is counted from another index apart; with one, every match is read anyway (to sort
 * them), so the total is counted over them in the same statement.
 */
export function createQueueQuery(db: Db) {
  const select = (where: string, counted: boolean) => `
    SELECT t.id, t.number, t.type, t.subject, t.priority, t.status, t.channel, t.category, t.requester_id,
           r.name AS r_name, r.emails[1] AS r_email, r.phones[1] AS r_phone, t.assignee_id, a.name AS a_name,
           t.respond_by, t.resolve_by, t.responded_at, t.breached, t.paused_at, t.created_at, page.total,
           (t.status = 'new' AND t.assignee_id IS NULL AND
            (SELECT e.type FROM ticket_events e
              WHERE e.ticket_id = t.id AND e.type = ANY(CAST($moves AS text[]))
              ORDER BY e.id DESC LIMIT 1) = 'queued') AS nobody_eligible
      FROM (SELECT t.id, ${counted ? 'count(*) OVER ()' : 'NULL'}::int AS total FROM tickets t WHERE ${where}
             ORDER BY ${ORDER} LIMIT $limit OFFSET $offset) page
      JOIN tickets t ON t.id = page.id
      JOIN requesters r ON r.id = t.requester_id
      LEFT JOIN technicians a ON a.id = t.assignee_id
     ORDER BY ${ORDER}`;
  const count = async (where: string, bind: Bind) =>
    (await rows<{ total: number }>(db, `SELECT count(*)::int AS total FROM tickets t WHERE ${where}`, bind))[0]?.total ?? 0;

  return {
    async list(filter: QueueFilter): Promise<{ items: QueueItem[]; total: number }> {
      const statuses = filter.status?.filter((s) => QUEUE_STATUSES.some((o) => o === s));
      const { clauses, bind, search } = filterClauses({ ...filter, ...(statuses ? { status: statuses } : {}) });
      const page = { ...bind, moves: [...QUEUE_MOVES], limit: filter.limit, offset: filter.offset };
      const shown = statuses?.includes('awaiting_approval') ? OPEN_OR_AWAITING : OPEN;
      if (!search) {
        const where = [shown, ...clauses].join(' AND ');
        const [items, total] = await Promise.all([rows<QueueRow>(db, select(where, false), page), count(where, bind)]);
        return { items: items.map(toItem), total };
      }
      // Each half of the search by its own (trigram) index, over open tickets only: the requesters
      // who match first (an array the tickets' requester index takes), OR'ed in one bitmap scan.
      const where = [
        shown,
        ...clauses,
        `(${search.ticket} OR t.requester_id = ANY(ARRAY(SELECT r.id FROM requesters r WHERE ${search.requester})))`,
      ].join(' AND ');
      const items = await rows<QueueRow>(db, select(where, true), page);
      // A page past the last has no row to carry the total.
      const total = items[0]?.total ?? (filter.offset > 0 ? await count(where, bind) : 0);
      return { items: items.map(toItem), total };
    },
  };
}

import { Op, Transaction } from 'sequelize';
import type { Channel, Level, Priority, Tier, TicketStatus, TicketType } from '../domain/values.js';
import type { ProblemRef, RequestInfo, Ticket, TicketDetail, TicketEvent, TicketMessage, Watcher } from '../domain/ticket.js';
import { createApprovalRepository } from './approval-repository.js';
import { randomUUID } from 'node:crypto';
import { hotRows, rows, txOf, type Bind, type Db } from './handle.js';
import { jsonb } from './jsonb.js';
import { inTransaction } from './own-transaction.js';
import { preparedRows } from './prepared.js';
import {
  filterClauses,
  numberOf,
  TICKET_SELECT,
  ticketSelectList,
  toTicket,
  UUID,
  type TicketFilterFields,
  type TicketJoinedRow,
} from './ticket-queries.js';

export interface NewTicket {
  /** Absent: an incident, status `new`. */
  type?: TicketType;
  status?: TicketStatus;
  /** The request a child task fulfils. */
  parentId?: string | null;
  channel: Channel;
  priority: Priority;
  impact: Level;
  urgency: Level;
  category: string | null;
  tier: Tier;
  subject: string;
  description: string;
  requesterId: string;
  outageId?: string | null;
  linkedTicketId?: string | null;
  respondBy?: Date | null;
  resolveBy?: Date | null;
}

export interface NewEvent {
  ticketId: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/** The columns a use case may change; the repository knows nothing of which changes are legal. */
export interface TicketChanges {
  status?: TicketStatus;
  priority?: Priority;
  impact?: Level;
  urgency?: Level;
  category?: string | null;
  tier?: Tier;
  assigneeId?: string | null;
  /** The technician offered the ticket first: set once, by the first offer. */
  firstAssigneeId?: string | null;
  /** The ongoing outage the ticket is about (routing links it and leaves it to the outage). */
  outageId?: string | null;
  resolution?: string | null;
  respondBy?: Date | null;
  resolveBy?: Date | null;
  respondedAt?: Date | null;
  breached?: boolean;
  pausedAt?: Date | null;
  /** When the SLA clocks started, where not at creation: a request's approval (#17). */
  clocksStartedAt?: Date | null;
  pausedSeconds?: number;
  offeredAt?: Date | null;
  escalations?: number;
  reassignments?: number;
  reopens?: number;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  satisfaction?: number | null;
  /**
   * What the requester said is never rewritten by the lifecycle; only intake fills in a placeholder
   * it wrote itself (a voicemail's transcript replacing "transcript follows").
   */
  subject?: string;
  description?: string;
}

/** The row as the lifecycle sees it while it holds the lock. */
export interface TicketState extends Required<Omit<TicketChanges, 'satisfaction' | 'description'>> {
  id: string;
  number: number;
  type: TicketType;
  parentId: string | null;
  channel: Channel;
  status: TicketStatus;
  subject: string;
  requesterId: string;
  createdAt: Date;
}

export interface TicketFilter extends TicketFilterFields {
  limit: number;
  offset: number;
}

/** A request's detail as its page shows it; null for a child task (a request without a catalog item of its own). */
async function requestInfo(db: Db, ticketId: string): Promise<RequestInfo | null> {
  const approvals = createApprovalRepository(db);
  const record = await approvals.request(ticketId);
  if (!record) return null;
  const asked = await approvals.forTicket(ticketId);
  const children = await approvals.children(ticketId);
  return {
    item: { id: record.itemId, name: record.itemName },
    fields: record.fields,
    approval: record.approval,
    approvals: asked.map((a) => ({
      id: a.id,
      approver: a.approver,
      decision: a.decision,
      via: a.via,
      comment: a.comment,
      at: a.decidedAt ? a.decidedAt.toISOString() : null,
    })),
    children: children.map((c) => c.number),
  };
}

export function createTicketRepository(db: Db) {
  const { Ticket } = db.models;
  // The whole row as the model would give it, for the intake's plain statements (see ticket-queries.ts).
  const stateColumns = () => ticketSelectList(db.sequelize, 'tickets');

  async function selectTickets(on: Db, where: string, bind: Bind, tail = '') {
    return (await rows<TicketJoinedRow>(on, `${TICKET_SELECT} WHERE ${where} ${tail}`, bind)).map(toTicket);
  }

  return {
    /**
     * Many new tickets in one statement, numbered in the order given (a function scan yields the
     * array in order); returns them as written, in that order.
     */
    async insertMany(inputs: readonly NewTicket[]): Promise<TicketState[]> {
      const rows = inputs.map((input) => ({
        ...input,
        id: randomUUID(),
        type: input.type ?? 'incident',
        status: input.status ?? 'new',
        parentId: input.parentId ?? null,
        outageId: input.outageId ?? null,
        linkedTicketId: input.linkedTicketId ?? null,
        respondBy: input.respondBy ?? null,
        resolveBy: input.resolveBy ?? null,
      }));
      const written = await hotRows<TicketState>(
        db,
        `INSERT INTO tickets (id, type, status, parent_id, channel, priority, impact, urgency, category, tier, subject, description,
                              requester_id, outage_id, linked_ticket_id, respond_by, resolve_by)
         SELECT t.id, t.type, t.status, t."parentId", t.channel, t.priority, t.impact, t.urgency, t.category, t.tier, t.subject,
                t.description, t."requesterId", t."outageId", t."linkedTicketId", t."respondBy", t."resolveBy"
           FROM jsonb_to_recordset(CAST($rows AS jsonb))
             AS t(id uuid, type text, status text, "parentId" uuid, channel text, priority text, impact text, urgency text,
                  category text, tier int, subject text, description text, "requesterId" uuid, "outageId" uuid,
                  "linkedTicketId" uuid, "respondBy" timestamptz, "resolveBy" timestamptz)
         RETURNING ${stateColumns()}`,
        { rows: jsonb(rows) },
      );
      const byId = new Map(written.map((row) => [row.id, row]));
      return rows.map((row) => {
        const state = byId.get(row.id);
        if (!state) throw new Error('tickets: the insert returned no row');
        return state;
      });
    },

    /** Locks the row for the rest of the transaction: two changes to one ticket never interleave. */
    async lock(id: string): Promise<TicketState | null> {
      return (await this.lockMany([id])).get(id) ?? null;
    },

    /**
     * lock for many tickets in one statement, taken in id order: two transactions locking
     * overlapping sets then queue behind each other instead of deadlocking. Absent ids are left out.
     */
    async lockMany(ids: readonly string[]): Promise<Map<string, TicketState>> {
      if (ids.length === 0) return new Map();
      const rows = await preparedRows<TicketState>(
        txOf(db, 'tickets.lockMany'),
        `SELECT ${stateColumns()} FROM tickets WHERE id = ANY(CAST($ids AS uuid[])) ORDER BY id FOR UPDATE`,
        { ids: [...new Set(ids)] },
      );
      return new Map(rows.map((row) => [row.id, row]));
    },

    /** Appends to the ticket's history; returns the event's id, the cause of what follows from it. */
    async appendEvent(ticketId: string, type: string, actor: string, data: Record<string, unknown>): Promise<string> {
      const [id] = await this.appendEvents([{ ticketId, type, actor, data }]);
      if (id === undefined) throw new Error('ticket_events: the insert returned no row');
      return id;
    },

    /** Events of different tickets in one statement (one each); returns their ids in the order given. */
    async appendEvents(events: readonly NewEvent[]): Promise<string[]> {
      const rows = await hotRows<{ id: string; ticketId: string }>(
        db,
        `INSERT INTO ticket_events (ticket_id, type, actor, data)
         SELECT e."ticketId", e.type, e.actor, e.data FROM jsonb_to_recordset(CAST($rows AS jsonb)) AS e("ticketId" uuid, type text, actor text, data jsonb)
         RETURNING id::text AS id, ticket_id AS "ticketId"`,
        { rows: jsonb(events) },
      );
      const byTicket = new Map(rows.map((row) => [row.ticketId, row.id]));
      if (byTicket.size !== events.length) throw new Error('ticket_events: one event per ticket at a time');
      return events.map((e) => byTicket.get(e.ticketId) ?? '');
    },

    /** One statement for all of them: an email copied to twenty people is one round trip, a backlog too. */
    async addWatchersMany(entries: readonly { ticketId: string; watchers: readonly Watcher[] }[]): Promise<void> {
      const rows = entries.flatMap(({ ticketId, watchers }) =>
        watchers.map((w) => ({ ticketId, email: w.email ?? null, phone: w.phone ?? null })),
      );
      if (rows.length === 0) return;
      await hotRows(
        db,
        `INSERT INTO ticket_watchers (ticket_id, email, phone)
         SELECT w."ticketId", w.email, w.phone FROM jsonb_to_recordset(CAST($rows AS jsonb)) AS w("ticketId" uuid, email text, phone text)
         ON CONFLICT DO NOTHING`,
        { rows: jsonb(rows) },
      );
    },

    /** A ticket's id from its number, its `HD-<number>` reference or its id (as the API returns it); null when it does not exist. */
    async idByKey(key: string): Promise<string | null> {
      const trimmed = key.trim();
      const where = UUID.test(trimmed) ? { id: trimmed.toLowerCase() } : numberOf(trimmed);
      if (!where) return null;
      const row = await Ticket.findOne({ where, attributes: ['id'], transaction: db.tx });
      return row?.id ?? null;
    },

    async get(id: string): Promise<Ticket | null> {
      const [ticket] = await selectTickets(db, 't.id = $id', { id });
      return ticket ?? null;
    },

    async detail(id: string): Promise<TicketDetail | null> {
      // One snapshot for the row, its events and its messages. Read apart, a change committing
      // between them (an offer expiring and going to the next technician) showed its events with
      // the row as it was before.
      const read = await inTransaction(
        db,
        async (snapshot) => {
          const [ticket] = await selectTickets(snapshot, 't.id = $id', { id });
          if (!ticket) return null;
          const events = await rows<TicketEvent>(
            snapshot,
            `SELECT type, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, data
               FROM ticket_events WHERE ticket_id = $id ORDER BY id`,
            { id },
          );
          const messages = await rows<TicketMessage & { subject: string | null; status: string | null }>(
            snapshot,
            `SELECT direction, channel, sender AS "from", recipient AS "to", subject, body,
                    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
                    external_id AS "externalId", status
               FROM messages WHERE ticket_id = $id ORDER BY at, id`,
            { id },
          );
          // The problem it is an incident of (issue #16): shown on the ticket, both ways linked.
          const [problem] = await rows<ProblemRef>(
            snapshot,
            `SELECT p.id, p.title, p.status FROM problem_incidents pi JOIN problems p ON p.id = pi.problem_id WHERE pi.ticket_id = $id`,
            { id },
          );
          // A service request's item, fields, approvals and child tasks (issue #17).
          const request = ticket.type === 'request' ? await requestInfo(snapshot, id) : null;
          return { ticket, events, messages, problem: problem ?? null, request };
        },
        { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ, readOnly: true },
      );
      if (!read) return null;
      const { ticket, events, messages, problem, request } = read;
      return {
        ...ticket,
        events,
        messages: messages.map(({ subject, status, ...m }) => ({
          ...m,
          ...(subject !== null ? { subject } : {}),
          ...(status !== null ? { status } : {}),
        })),
        problem,
        request,
      };
    },

    async list(filter: TicketFilter): Promise<{ items: Ticket[]; total: number }> {
      const { clauses, bind: filterBind, search } = filterClauses(filter);
      const bind: Bind = { ...filterBind, limit: filter.limit, offset: filter.offset };
      const where = ['true', ...clauses, ...(search ? [`(${search.ticket} OR ${search.requester})`] : [])].join(' AND ');
      const [items, counted] = await Promise.all([
        selectTickets(db, where, bind, 'ORDER BY t.created_at DESC, t.number DESC LIMIT $limit OFFSET $offset'),
        rows<{ total: number }>(
          db,
          `SELECT count(*)::int AS total FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE ${where}`,
          bind,
        ),
      ]);
      return { items, total: counted[0]?.total ?? 0 };
    },

    /** The requester's most recently resolved ticket: the one a REOPEN means. */
    async latestResolvedOf(requesterId: string): Promise<{ id: string; number: number } | null> {
      const row = await Ticket.findOne({
        where: { requesterId, status: 'resolved' },
        order: [['resolvedAt', 'DESC']],
        attributes: ['id', 'number'],
        transaction: db.tx,
      });
      return row ? { id: row.id, number: row.number } : null;
    },

    /**
     * The requester's ticket resolved most recently, at or after `since`, whether it is still resolved
     * or was closed since: the one a "thanks, it works" text is about.
     */
    async latestFinishedOf(requesterId: string, since: Date): Promise<{ id: string; number: number } | null> {
      const row = await Ticket.findOne({
        where: { requesterId, status: { [Op.in]: ['resolved', 'closed'] }, resolvedAt: { [Op.gte]: since } },
        order: [['resolvedAt', 'DESC']],
        attributes: ['id', 'number'],
        transaction: db.tx,
      });
      return row ? { id: row.id, number: row.number } : null;
    },

    /** The requester's open ticket most recently worked on: the conversation a new text most likely continues. */
    async latestOpenIdOf(requesterId: string): Promise<string | null> {
      const row = await Ticket.findOne({
        where: { requesterId, status: { [Op.in]: ['new', 'assigned', 'in_progress', 'pending'] } },
        order: [['updatedAt', 'DESC']],
        attributes: ['id'],
        transaction: db.tx,
      });
      return row?.id ?? null;
    },

    async openTicketsOf(technicianId: string): Promise<Ticket[]> {
      return selectTickets(
        db,
        `t.assignee_id = $technicianId AND t.status IN ('assigned', 'in_progress', 'pending')`,
        { technicianId },
        'ORDER BY t.priority, t.created_at',
      );
    },
  };
}

import type { Language, Priority, Tier } from '../domain/values.js';
import { hotRows, rows, txOf, type Db } from './handle.js';
import { ticketSelectList } from './ticket-queries.js';
import type { TicketState } from './ticket-repository.js';
import { ticketWriteSteps, type TicketWrite } from './ticket-writer.js';

/**
 * The statements of routing. A technician's load is the tickets they hold in assigned,
 * in_progress or pending, per priority: kept on their row (open_p1..open_p4) by triggers on
 * tickets (migration 011), so that reading it costs a row, and holding the row's lock holds the
 * load still.
 *
 * What one routing decision reads, in two statements: the ticket locked (only if it still waits),
 * then its routing history, an ongoing outage, the candidates with their loads and the recipients.
 * Two on purpose: under READ COMMITTED a statement reads as of its start, so a history read in the
 * statement that waits for the lock would miss what the lock's previous holder just committed.
 */

/** Events that tell routing something: declines and timeouts exclude, escalation and reopening forgive. */
const ROUTING_EVENT_TYPES = [
  'assigned',
  'declined',
  'offer_expired',
  'offer_reminder',
  'queued',
  'unassigned',
  'escalated',
  'reopened',
  'sla_warning',
  'sla_breached',
] as const;

const EVENT_TYPE_LIST = ROUTING_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

/** Open tickets on the technician's row, all priorities. */
const OPEN_LOAD = '(tech.open_p1 + tech.open_p2 + tech.open_p3 + tech.open_p4)';

/** Who may take a ticket of tier `tierParam` needing the skills of `skillsParam` (a text[] expression). */
const candidateFilter = (tierParam: string, skillsParam: string) =>
  `tech.deleted_at IS NULL AND tech.available AND tech.tier = ${tierParam} AND tech.skills @> ${skillsParam}`;

export interface RoutingEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export interface TechnicianRecord {
  id: string;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  available: boolean;
  shift: string | null;
  lastAssignedAt: Date | null;
  openLoad: Record<Priority, number>;
}

/** How a technician is reached: what an offer's notification needs. */
export interface TechnicianContact {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  language: Language;
}

/** Of a candidate: their row version as read, with which the ranking was made. */
export interface RankedTechnician {
  id: string;
  version: string;
}

/** A technician who may take the ticket: as ranked, their row's version, and how to reach them. */
export interface Candidate extends RankedTechnician {
  record: TechnicianRecord;
  contact: TechnicianContact;
}

/** Who a decision's notifications go to besides the technician. */
export interface DecisionRecipients {
  requester: { name: string | null; emails: string[]; phones: string[]; language: Language | null };
  watchers: { email?: string; phone?: string }[];
}

/** Everything a decision reads besides the ticket itself. */
export interface DecisionContext {
  /** The ticket's routing history, oldest first. */
  events: RoutingEvent[];
  /** The outage the ticket is linked to still goes on. */
  linkedOngoing: boolean;
  /** Technicians of the tier holding the skills, available, with their load; by id. */
  candidates: Candidate[];
  /** Requester and watchers, for the notifications the decision owes. */
  recipients: DecisionRecipients | null;
  /** The id the decision's event will have: its notifications are keyed by it in the same statement. */
  eventId: string;
}

/**
 * `'relaxed'`: the transaction commits without waiting for its WAL to reach the disk
 * (`synchronous_commit = off` for it alone), which takes the disk's flush, and its worst
 * stalls, off the decision. Only for a transaction that does nothing but route: a Postgres crash
 * may then lose its last fraction of a second of decisions, and nothing else. Nothing of such a
 * decision leaves the desk before a durable commit has flushed the WAL up to it (the WAL is one
 * sequence, and the notifier's send marker commits durably before the SMS or email goes out),
 * and a lost decision leaves its ticket waiting, which the next sweep routes again.
 * Transactions that carry a person's action (an API call, an SMS command) stay `'durable'`.
 */
export type CommitMode = 'durable' | 'relaxed';

/** The ticket locked, or what it is now when it no longer waits. */
export type Waiting = { state: TicketState } | { state: null; status: string | null };

/** The chosen technician's row as locked, and whether the offer was written with it. */
export interface LockedTechnician {
  record: TechnicianRecord;
  contact: TechnicianContact;
  /** The row was the version ranked on: the write happened in the same statement. */
  offered: boolean;
}

/** Where a walk of the waiting queue stopped, to continue after it (JSON-safe: it travels in a job's data). */
export interface QueueCursor {
  priority: Priority;
  createdAt: string;
  number: number;
}

/** What a technician may take more of. */
export interface TechnicianCapacity {
  id: string;
  tier: Tier;
  skills: string[];
  shift: string | null;
  free: number;
}

interface CandidateRow {
  id: string;
  tier: Tier;
  skills: string[];
  max_load: number;
  available: boolean;
  shift: string | null;
  last_assigned_at: Date | null;
  open_p1: number;
  open_p2: number;
  open_p3: number;
  open_p4: number;
}

const toRecord = (r: CandidateRow): TechnicianRecord => ({
  id: r.id,
  tier: r.tier,
  skills: r.skills,
  maxLoad: r.max_load,
  available: r.available,
  shift: r.shift,
  lastAssignedAt: r.last_assigned_at,
  openLoad: { P1: r.open_p1, P2: r.open_p2, P3: r.open_p3, P4: r.open_p4 },
});

/** All a decision may need of a technician's row, its version included; `tech` is the row. */
const TECHNICIAN_ROW = `tech.id, tech.tier, tech.skills, tech.max_load, tech.available AND tech.deleted_at IS NULL AS available,
  tech.shift, tech.last_assigned_at, tech.open_p1, tech.open_p2, tech.open_p3, tech.open_p4,
  tech.name, tech.phone, tech.email, tech.language, tech.xmin::text AS version`;

type LockedRow = CandidateRow & Omit<TechnicianContact, 'id'> & { version: string; offered: boolean };

/** The row as an array, lighter than an object to build and parse: see the query for the order. The version is `xmin`. */
type CandidateTuple = [
  id: string,
  skills: string[],
  maxLoad: number,
  shift: string | null,
  lastAssignedAt: string | null,
  p1: number,
  p2: number,
  p3: number,
  p4: number,
  version: string,
  name: string,
  phone: string | null,
  email: string | null,
  language: Language,
];

interface ContextRow {
  event_id: string;
  events: RoutingEvent[];
  linked_ongoing: boolean;
  requester: DecisionRecipients['requester'] | null;
  watchers: DecisionRecipients['watchers'];
  candidates: CandidateTuple[];
}

const CONTEXT = `SELECT
  nextval(pg_get_serial_sequence('ticket_events', 'id'))::text AS event_id,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'type', type, 'data', data) ORDER BY id), '[]'::json)
     FROM ticket_events WHERE ticket_id = $ticketId AND type IN (${EVENT_TYPE_LIST})) AS events,
  EXISTS (SELECT 1 FROM outages WHERE id = CAST($linkedTo AS uuid) AND (until IS NULL OR until > $now)) AS linked_ongoing,
  (SELECT json_build_object('name', r.name, 'emails', r.emails, 'phones', r.phones, 'language', r.language)
     FROM requesters r WHERE r.id = $requesterId) AS requester,
  (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('email', tw.email, 'phone', tw.phone))), '[]'::json)
     FROM ticket_watchers tw WHERE tw.ticket_id = $ticketId) AS watchers,
  (SELECT coalesce(json_agg(json_build_array(tech.id, tech.skills, tech.max_load, tech.shift, tech.last_assigned_at,
                                             tech.open_p1, tech.open_p2, tech.open_p3, tech.open_p4, tech.xmin,
                                             tech.name, tech.phone, tech.email, tech.language)), '[]'::json)
     FROM technicians tech WHERE ${candidateFilter('$tier', 'CAST($skills AS text[])')}) AS candidates`;

/** By id, as ties in the ranking keep this order; sorted here, where it costs less than in the query. */
const byId = (a: CandidateTuple, b: CandidateTuple) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function toContext(row: ContextRow, tier: Tier): DecisionContext {
  return {
    events: row.events,
    linkedOngoing: row.linked_ongoing,
    candidates: row.candidates
      .sort(byId)
      .map(([id, skills, maxLoad, shift, lastAssignedAt, p1, p2, p3, p4, version, name, phone, email, language]) => ({
        id,
        version,
        record: {
          id,
          tier,
          skills,
          maxLoad,
          available: true,
          shift,
          lastAssignedAt: lastAssignedAt === null ? null : new Date(lastAssignedAt),
          openLoad: { P1: p1, P2: p2, P3: p3, P4: p4 },
        },
        contact: { id, name, phone, email, language },
      })),
    recipients: row.requester ? { requester: row.requester, watchers: row.watchers } : null,
    eventId: row.event_id,
  };
}

/** The lock's row: the ticket's status now, and the ticket itself when it still waits (all null otherwise). */
type WaitingRow = { now_status: string; commit_mode?: string } & (TicketState | { [K in keyof TicketState]: null });

/** The next waiting ticket a technician could take, locked; tickets other workers hold are skipped. */
const NEXT_WAITING = `
  SELECT t.id, t.priority, t.created_at AS "createdAt", t.number
    FROM tickets t
    LEFT JOIN categories c ON c.name = t.category
   WHERE t.status = 'new' AND t.assignee_id IS NULL AND t.tier = $tier
     AND (t.category IS NULL OR coalesce(c.required_skills, ARRAY[t.category]) <@ CAST($skills AS text[]))
     AND (t.outage_id IS NULL OR NOT EXISTS (
           SELECT 1 FROM outages o WHERE o.id = t.outage_id AND (o.until IS NULL OR o.until > now())))
     AND (CAST($first AS boolean)
          OR (t.priority, t.created_at, t.number) > (CAST($priority AS text), CAST($createdAt AS timestamptz), CAST($number AS integer)))
   ORDER BY t.priority, t.created_at, t.number
   LIMIT 1
   FOR UPDATE OF t SKIP LOCKED`;

export function createRoutingRepository(db: Db) {
  return {
    /**
     * Locks the ticket if it still waits for routing (new, unassigned). A ticket that does not is
     * not locked at all; after waiting for another router's lock, the row is checked again as that
     * router left it, so a ticket just offered is seen as such. `commit: 'relaxed'` for a
     * transaction that only routes (see CommitMode).
     */
    async lockWaiting(ticketId: string, commit: CommitMode): Promise<Waiting> {
      txOf(db, 'routing.lockWaiting');
      // The ticket model's attributes as the lifecycle's lock returns them, but the description: a
      // ticket's body (a whole email, say) is not TicketState, and routing never reads it.
      // set_config(…, true) is SET LOCAL as a function, so that it costs no round trip of its own.
      const [row] = await hotRows<WaitingRow>(
        db,
        `SELECT s.status AS now_status, ${commit === 'relaxed' ? `set_config('synchronous_commit', 'off', true) AS commit_mode, ` : ''}lt.*
           FROM (SELECT status FROM tickets WHERE id = $ticketId) s
           LEFT JOIN LATERAL (SELECT ${ticketSelectList(db.sequelize, 't', ['description'])} FROM tickets t
                               WHERE t.id = $ticketId AND t.status = 'new' AND t.assignee_id IS NULL
                                 FOR UPDATE OF t) lt ON true`,
        { ticketId },
      );
      if (!row) return { state: null, status: null };
      if (row.id === null) return { state: null, status: row.now_status };
      const { now_status: _status, commit_mode: _mode, ...state } = row;
      return { state };
    },

    /** The rest of what the decision reads, for a ticket this transaction has locked. */
    async decisionContext(input: { state: TicketState; skills: readonly string[]; now: Date }): Promise<DecisionContext> {
      txOf(db, 'routing.decisionContext');
      const { state, skills, now } = input;
      const [row] = await hotRows<ContextRow>(db, CONTEXT, {
        ticketId: state.id,
        now,
        linkedTo: state.outageId,
        requesterId: state.requesterId,
        tier: state.tier,
        skills,
      });
      if (!row) throw new Error('routing: the decision context query returned no row');
      return toContext(row, state.tier);
    },

    /**
     * The chosen technician's row locked and, when it is the very row version the decision was
     * ranked on, the offer written: one statement, where a lock, a look at the load under it and
     * the write used to be three.
     *
     * Why the version decides: every change to a technician's load updates their row (the triggers
     * of migration 011), and so does any other change to them; the same `xmin` means nothing at all
     * changed since the candidates were read, so the ranking stands as it was. And the lock returns
     * the latest committed version, even when it waited or the row changed after the statement began
     * (READ COMMITTED re-reads a row it locks), so a load that moved is always seen. When the version
     * differs the row stays locked, nothing is written, and the caller ranks again with the row as
     * locked: the load read under a lock nobody else can change until this transaction commits.
     *
     * `'busy'`: another transaction holds the row (SKIP LOCKED); `null`: no such row (after waiting).
     * `mode: 'wait'` is only for a transaction that holds no other technician's row.
     */
    async lockAndOffer(
      write: TicketWrite,
      technician: RankedTechnician,
      mode: 'wait' | 'skip-locked',
    ): Promise<LockedTechnician | 'busy' | null> {
      txOf(db, 'routing.lockAndOffer');
      const plan = ticketWriteSteps(write, 'EXISTS (SELECT 1 FROM unchanged)');
      const [row] = await hotRows<LockedRow>(
        db,
        `WITH ${[
          `locked AS (SELECT ${TECHNICIAN_ROW} FROM technicians tech
                   WHERE tech.id = $lockId FOR NO KEY UPDATE${mode === 'skip-locked' ? ' SKIP LOCKED' : ''})`,
          'unchanged AS (SELECT 1 FROM locked WHERE version = $rankedVersion)',
          ...plan.steps,
        ].join(',\n')}
     SELECT locked.*, EXISTS (SELECT 1 FROM unchanged) AS offered FROM locked`,
        { ...plan.bind, lockId: technician.id, rankedVersion: technician.version },
      );
      // Rows are never deleted (a leaving technician is soft-deleted): no row means locked by another.
      if (!row) return mode === 'skip-locked' ? 'busy' : null;
      return {
        record: toRecord(row),
        contact: { id: row.id, name: row.name, phone: row.phone, email: row.email, language: row.language },
        offered: row.offered,
      };
    },

    /** The ticket's routing history, oldest first. */
    async events(ticketId: string): Promise<RoutingEvent[]> {
      return rows<RoutingEvent>(
        db,
        `SELECT id, type, data FROM ticket_events
          WHERE ticket_id = $ticketId AND type IN (${EVENT_TYPE_LIST})
          ORDER BY id`,
        { ticketId },
      );
    },

    /** The routing histories of many tickets, oldest first each; a ticket without one is absent. */
    async eventsOf(ticketIds: readonly string[]): Promise<Map<string, RoutingEvent[]>> {
      const found = await rows<RoutingEvent & { ticket_id: string }>(
        db,
        `SELECT ticket_id, id, type, data FROM ticket_events
          WHERE ticket_id = ANY(CAST($ids AS uuid[])) AND type IN (${EVENT_TYPE_LIST})
          ORDER BY id`,
        { ids: [...ticketIds] },
      );
      const byTicket = new Map<string, RoutingEvent[]>();
      for (const { ticket_id, ...event } of found) {
        const list = byTicket.get(ticket_id) ?? [];
        list.push(event);
        byTicket.set(ticket_id, list);
      }
      return byTicket;
    },

    /** The last of the events that offer a ticket or bring it back to `assigned`, if any. */
    async lastOfferMove(ticketId: string): Promise<string | null> {
      const [last] = await rows<{ type: string }>(
        db,
        `SELECT type FROM ticket_events WHERE ticket_id = $ticketId
            AND type IN ('assigned', 'offer_renewed', 'reopened', 'status_changed') ORDER BY id DESC LIMIT 1`,
        { ticketId },
      );
      return last?.type ?? null;
    },

    async linkedToOngoingOutage(ticketId: string): Promise<boolean> {
      const [row] = await rows<{ ongoing: boolean }>(
        db,
        `SELECT EXISTS (SELECT 1 FROM tickets t JOIN outages o ON o.id = t.outage_id
                         WHERE t.id = $ticketId AND (o.until IS NULL OR o.until > now())) AS ongoing`,
        { ticketId },
      );
      return row?.ongoing ?? false;
    },

    /**
     * Every technician on the desk as a decision would see them, whatever their tier and skills,
     * for a person choosing whom to assign (the console's reassign list); by id, as ties rank.
     */
    async everyone(): Promise<TechnicianRecord[]> {
      const found = await rows<CandidateRow>(
        db,
        `SELECT tech.id, tech.tier, tech.skills, tech.max_load, tech.available, tech.shift, tech.last_assigned_at,
                tech.open_p1, tech.open_p2, tech.open_p3, tech.open_p4
           FROM technicians tech WHERE tech.deleted_at IS NULL ORDER BY tech.id`,
      );
      return found.map(toRecord);
    },

    /** An active, available technician's room for more tickets; null for anyone else. */
    async capacity(technicianId: string): Promise<TechnicianCapacity | null> {
      const [row] = await rows<TechnicianCapacity>(
        db,
        `SELECT tech.id, tech.tier, tech.skills, tech.shift,
                tech.max_load - ${OPEN_LOAD} AS free
           FROM technicians tech WHERE tech.id = $technicianId AND tech.deleted_at IS NULL AND tech.available`,
        { technicianId },
      );
      return row ?? null;
    },

    /**
     * The next waiting ticket a technician of `tier` holding `skills` could take, after `after` in
     * queue order (priority, then age), locked; tickets other workers hold are skipped.
     */
    async lockNextWaiting(
      tier: Tier,
      skills: readonly string[],
      after: QueueCursor | null,
    ): Promise<{ id: string; cursor: QueueCursor } | null> {
      txOf(db, 'routing.lockNextWaiting');
      const [next] = await rows<{ id: string; priority: Priority; createdAt: Date; number: number }>(db, NEXT_WAITING, {
        tier,
        skills: [...skills],
        first: after === null,
        priority: after?.priority ?? 'P1',
        createdAt: after?.createdAt ?? new Date(0).toISOString(),
        number: after?.number ?? 0,
      });
      if (!next) return null;
      return { id: next.id, cursor: { priority: next.priority, createdAt: new Date(next.createdAt).toISOString(), number: next.number } };
    },

    /**
     * Everyone who could take more while tickets of their tier wait, the longest idle first (ties
     * by id).
     */
    async techniciansWithRoom(): Promise<{ id: string; shift: string | null }[]> {
      return rows(
        db,
        `SELECT tech.id, tech.shift FROM technicians tech
          WHERE tech.deleted_at IS NULL AND tech.available
            AND tech.max_load > ${OPEN_LOAD}
            AND EXISTS (SELECT 1 FROM tickets q WHERE q.status = 'new' AND q.assignee_id IS NULL AND q.tier = tech.tier)
          ORDER BY tech.last_assigned_at NULLS FIRST, tech.id`,
      );
    },
  };
}

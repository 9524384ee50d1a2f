import type { Sequelize, Transaction } from 'sequelize';
import { preparedRows } from '../store/prepared.js';
import type { KnownRecipients } from '../tickets/apply-change.js';
import type { TicketState } from '../store/ticket-repository.js';
import { selectList, ticketColumns, type TicketColumn } from '../store/ticket-queries.js';
import type { Tier } from '../domain/values.js';
import type { RankedTechnician } from './lock-and-offer.js';
import { candidateFilter, EVENT_TYPE_LIST, type RoutingEvent, type TechnicianContact, type TechnicianRecord } from './routing-queries.js';

/**
 * What one routing decision reads, in two statements: the ticket locked (only if it still waits),
 * then its routing history, an ongoing outage, the candidates with their loads and the recipients.
 * Two on purpose: under READ COMMITTED a statement reads as of its start, so a history read in the
 * statement that waits for the lock would miss what the lock's previous holder just committed.
 */

/** A technician who may take the ticket: as ranked, their row's version, and how to reach them. */
export interface Candidate extends RankedTechnician {
  record: TechnicianRecord;
  contact: TechnicianContact;
}

/** Everything a decision reads besides the ticket itself. */
export interface DecisionContext {
  /** The ticket's routing history, oldest first. */
  events: RoutingEvent[];
  /** An ongoing outage of the ticket's category. */
  outage: string | null;
  /** The outage the ticket is linked to still goes on. */
  linkedOngoing: boolean;
  /** Technicians of the tier holding the skills, available, with their load; by id. */
  candidates: Candidate[];
  /** Requester and watchers, for the notifications the decision owes. */
  recipients: Required<Pick<KnownRecipients, 'requester' | 'watchers'>> | null;
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
  language: TechnicianContact['language'],
];

interface ContextRow {
  event_id: string;
  events: RoutingEvent[];
  outage: string | null;
  linked_ongoing: boolean;
  requester: NonNullable<DecisionContext['recipients']>['requester'] | null;
  watchers: NonNullable<DecisionContext['recipients']>['watchers'];
  candidates: CandidateTuple[];
}

const CONTEXT = `SELECT
  nextval(pg_get_serial_sequence('ticket_events', 'id'))::text AS event_id,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'type', type, 'data', data) ORDER BY id), '[]'::json)
     FROM ticket_events WHERE ticket_id = $ticketId AND type IN (${EVENT_TYPE_LIST})) AS events,
  (SELECT id FROM outages WHERE category = CAST($category AS text) AND since <= $now AND (until IS NULL OR until > $now)
    ORDER BY since DESC LIMIT 1) AS outage,
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
    outage: row.outage,
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

export function createDecisionReads(sequelize: Sequelize) {
  // The ticket model's attributes as the lifecycle's lock returns them, but the description: a
  // ticket's body (a whole email, say) is not TicketState, and routing never reads it.
  let attributes: TicketColumn[] | null = null;
  const ticketAttributes = () => (attributes ??= ticketColumns(sequelize, ['description']));
  const lockedColumns = () => selectList(ticketAttributes(), 't');

  return {
    /**
     * Locks the ticket if it still waits for routing (new, unassigned). A ticket that does not is
     * not locked at all; after waiting for another router's lock, the row is checked again as that
     * router left it, so a ticket just offered is seen as such.
     */
    async lockWaiting(ticketId: string, tx: Transaction, commit: CommitMode): Promise<Waiting> {
      // set_config(…, true) is SET LOCAL as a function, so that it costs no round trip of its own.
      const [row] = await preparedRows<{ now_status: string } & Partial<TicketState>>(
        tx,
        `SELECT s.status AS now_status, ${commit === 'relaxed' ? `set_config('synchronous_commit', 'off', true) AS commit_mode, ` : ''}lt.*
           FROM (SELECT status FROM tickets WHERE id = $ticketId) s
           LEFT JOIN LATERAL (SELECT ${lockedColumns()} FROM tickets t
                               WHERE t.id = $ticketId AND t.status = 'new' AND t.assignee_id IS NULL
                                 FOR UPDATE OF t) lt ON true`,
        { ticketId },
      );
      if (!row) return { state: null, status: null };
      if (!row.id) return { state: null, status: row.now_status };
      const state: Partial<Record<keyof TicketState, unknown>> = {};
      for (const { name } of ticketAttributes()) state[name as keyof TicketState] = row[name as keyof TicketState];
      return { state: state as TicketState };
    },

    /** The rest of what the decision reads, for a ticket this transaction has locked. */
    async context(input: { state: TicketState; skills: readonly string[]; now: Date }, tx: Transaction): Promise<DecisionContext> {
      const { state, skills, now } = input;
      const [row] = await preparedRows<ContextRow>(tx, CONTEXT, {
        ticketId: state.id,
        category: state.category,
        now,
        linkedTo: (state as TicketState & { outageId?: string | null }).outageId ?? null,
        requesterId: state.requesterId,
        tier: state.tier,
        skills,
      });
      if (!row) throw new Error('routing: the decision context query returned no row');
      return toContext(row, state.tier);
    },
  };
}

export type DecisionReads = ReturnType<typeof createDecisionReads>;

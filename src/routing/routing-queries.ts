import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Priority, Tier } from '../domain.js';
import type { OpenLoad } from './assignment.js';

/**
 * The SQL of routing. A technician's load is the tickets they hold in assigned, in_progress or
 * pending, counted per priority through the partial index tickets_open_assignee_idx.
 */

export const OPEN_LOAD_STATUSES = `('assigned', 'in_progress', 'pending')`;

/** A list parameter as JSON: Sequelize expands arrays into comma lists, and `ARRAY[]` has no type. */
export const textArray = (param: string) => `ARRAY(SELECT jsonb_array_elements_text(CAST(${param} AS jsonb)))::text[]`;

export interface TechnicianRecord {
  id: string;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  available: boolean;
  shift: string | null;
  lastAssignedAt: Date | null;
  openLoad: OpenLoad;
}

interface CandidateRow {
  id: string;
  tier: number;
  skills: string[];
  max_load: number;
  available: boolean;
  shift: string | null;
  last_assigned_at: Date | null;
  p1: number;
  p2: number;
  p3: number;
  p4: number;
}

const LOAD_COLUMNS = `
  count(*) FILTER (WHERE o.priority = 'P1')::int AS p1, count(*) FILTER (WHERE o.priority = 'P2')::int AS p2,
  count(*) FILTER (WHERE o.priority = 'P3')::int AS p3, count(*) FILTER (WHERE o.priority = 'P4')::int AS p4`;

const toRecord = (r: CandidateRow): TechnicianRecord => ({
  id: r.id,
  tier: r.tier as Tier,
  skills: r.skills,
  maxLoad: r.max_load,
  available: r.available,
  shift: r.shift,
  lastAssignedAt: r.last_assigned_at,
  openLoad: { P1: r.p1, P2: r.p2, P3: r.p3, P4: r.p4 },
});

export function createRoutingQueries(sequelize: Sequelize) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, tx?: Transaction) =>
    sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: tx });

  return {
    /** Active, available technicians of the tier holding every skill, with their load; by id for stable ties. */
    async candidates(tier: Tier, skills: readonly string[], tx: Transaction): Promise<TechnicianRecord[]> {
      const rows = await select<CandidateRow>(
        `SELECT tech.id, tech.tier, tech.skills, tech.max_load, tech.available, tech.shift, tech.last_assigned_at,
                l.p1, l.p2, l.p3, l.p4
           FROM technicians tech
           CROSS JOIN LATERAL (SELECT ${LOAD_COLUMNS} FROM tickets o
                                WHERE o.assignee_id = tech.id AND o.status IN ${OPEN_LOAD_STATUSES}) l
          WHERE tech.deleted_at IS NULL AND tech.available AND tech.tier = :tier
            AND tech.skills @> ${textArray(':skills')}
          ORDER BY tech.id`,
        { tier, skills: JSON.stringify(skills) },
        tx,
      );
      return rows.map(toRecord);
    },

    /**
     * Locks the technician's row, then counts their load in a second statement. Two statements on
     * purpose: under READ COMMITTED a statement's snapshot is taken before it waits for a lock, so a
     * count inside the locking statement would miss the offer the previous lock holder just committed.
     */
    async lockTechnician(id: string, tx: Transaction, mode: 'wait' | 'skip-locked'): Promise<TechnicianRecord | 'busy' | null> {
      const [row] = await select<Omit<CandidateRow, 'p1' | 'p2' | 'p3' | 'p4'>>(
        `SELECT id, tier, skills, max_load, available AND deleted_at IS NULL AS available, shift, last_assigned_at
           FROM technicians WHERE id = :id FOR NO KEY UPDATE${mode === 'skip-locked' ? ' SKIP LOCKED' : ''}`,
        { id },
        tx,
      );
      // Rows are never deleted (a leaving technician is soft-deleted): no row means locked by another.
      if (!row) return mode === 'skip-locked' ? 'busy' : null;
      const [load] = await select<Pick<CandidateRow, 'p1' | 'p2' | 'p3' | 'p4'>>(
        `SELECT ${LOAD_COLUMNS} FROM tickets o WHERE o.assignee_id = :id AND o.status IN ${OPEN_LOAD_STATUSES}`,
        { id },
        tx,
      );
      return toRecord({ ...row, p1: load?.p1 ?? 0, p2: load?.p2 ?? 0, p3: load?.p3 ?? 0, p4: load?.p4 ?? 0 });
    },

    async markAssigned(id: string, at: Date, tx: Transaction): Promise<void> {
      await sequelize.query('UPDATE technicians SET last_assigned_at = :at WHERE id = :id', { replacements: { id, at }, transaction: tx });
    },

    /** The ticket's routing history, oldest first. */
    async routingEvents(ticketId: string, tx?: Transaction): Promise<RoutingEvent[]> {
      return select(
        `SELECT id, type, data FROM ticket_events
          WHERE ticket_id = :ticketId AND type IN (${EVENT_TYPE_LIST})
          ORDER BY id`,
        { ticketId },
        tx,
      );
    },

    /**
     * What a decision needs besides the candidates, in one round trip: the ticket's routing history,
     * an ongoing outage of its category, and whether the outage it is linked to still goes on.
     */
    async routingContext(
      input: { ticketId: string; category: string | null; linkedTo: string | null; now: Date },
      tx: Transaction,
    ): Promise<{ events: RoutingEvent[]; outage: string | null; linkedOngoing: boolean }> {
      const [row] = await select<{ events: RoutingEvent[]; outage: string | null; linked_ongoing: boolean }>(
        `SELECT
           (SELECT coalesce(json_agg(json_build_object('id', id, 'type', type, 'data', data) ORDER BY id), '[]'::json)
              FROM ticket_events WHERE ticket_id = :ticketId AND type IN (${EVENT_TYPE_LIST})) AS events,
           (SELECT id FROM outages WHERE category = CAST(:category AS text) AND since <= :now AND (until IS NULL OR until > :now)
             ORDER BY since DESC LIMIT 1) AS outage,
           EXISTS (SELECT 1 FROM outages WHERE id = CAST(:linkedTo AS uuid) AND (until IS NULL OR until > :now)) AS linked_ongoing`,
        input,
        tx,
      );
      return { events: row?.events ?? [], outage: row?.outage ?? null, linkedOngoing: row?.linked_ongoing ?? false };
    },

    async linkedToOngoingOutage(ticketId: string, tx: Transaction): Promise<boolean> {
      const [row] = await select<{ ongoing: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM tickets t JOIN outages o ON o.id = t.outage_id
                         WHERE t.id = :ticketId AND (o.until IS NULL OR o.until > now())) AS ongoing`,
        { ticketId },
        tx,
      );
      return row?.ongoing ?? false;
    },

    async linkOutage(ticketId: string, outageId: string, tx: Transaction): Promise<void> {
      await sequelize.query('UPDATE tickets SET outage_id = :outageId, updated_at = now() WHERE id = :ticketId', {
        replacements: { ticketId, outageId },
        transaction: tx,
      });
    },

    /** The ticket's status and assignee without a lock: to skip work that is plainly not needed. */
    async peek(ticketId: string): Promise<{ status: string; assigneeId: string | null; priority: Priority } | null> {
      const [row] = await select<{ status: string; assignee_id: string | null; priority: Priority }>(
        'SELECT status, assignee_id, priority FROM tickets WHERE id = :ticketId',
        { ticketId },
      );
      return row ? { status: row.status, assigneeId: row.assignee_id, priority: row.priority } : null;
    },
  };
}

/** Events that tell routing something: declines and timeouts exclude, escalation and reopening forgive. */
export const ROUTING_EVENT_TYPES = [
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

export interface RoutingEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export type RoutingQueries = ReturnType<typeof createRoutingQueries>;

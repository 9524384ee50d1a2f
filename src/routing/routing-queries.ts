import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Language, Tier } from '../domain/values.js';
import { jsonb } from '../store/jsonb.js';
import type { OpenLoad } from '../rules/assignment.js';

/**
 * The SQL of routing. A technician's load is the tickets they hold in assigned, in_progress or
 * pending, per priority: kept on their row (open_p1..open_p4) by triggers on tickets (migration
 * 011), so that reading it costs a row, and holding the row's lock holds the load still.
 */

/** A list parameter as JSON: Sequelize expands arrays into comma lists, and `ARRAY[]` has no type. */
export const textArray = (param: string) => `ARRAY(SELECT jsonb_array_elements_text(CAST(${param} AS jsonb)))::text[]`;

/** Open tickets on the technician's row, all priorities. */
export const OPEN_LOAD = '(tech.open_p1 + tech.open_p2 + tech.open_p3 + tech.open_p4)';

/** Who may take a ticket of tier `tierParam` needing the skills of `skillsParam` (a text[] expression). */
export const candidateFilter = (tierParam: string, skillsParam: string) =>
  `tech.deleted_at IS NULL AND tech.available AND tech.tier = ${tierParam} AND tech.skills @> ${skillsParam}`;

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

/** How a technician is reached: what an offer's notification needs. */
export interface TechnicianContact {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  language: Language;
}

export interface CandidateRow {
  id: string;
  tier: number;
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

export const CANDIDATE_COLUMNS = `tech.id, tech.tier, tech.skills, tech.max_load, tech.available, tech.shift, tech.last_assigned_at,
  tech.open_p1, tech.open_p2, tech.open_p3, tech.open_p4`;

export const toRecord = (r: CandidateRow): TechnicianRecord => ({
  id: r.id,
  tier: r.tier as Tier,
  skills: r.skills,
  maxLoad: r.max_load,
  available: r.available,
  shift: r.shift,
  lastAssignedAt: r.last_assigned_at,
  openLoad: { P1: r.open_p1, P2: r.open_p2, P3: r.open_p3, P4: r.open_p4 },
});

export function createRoutingQueries(sequelize: Sequelize) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, tx?: Transaction) =>
    sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: tx });

  return {
    /** Active, available technicians of the tier holding every skill, with their load; by id for stable ties. */
    async candidates(tier: Tier, skills: readonly string[], tx: Transaction): Promise<TechnicianRecord[]> {
      const rows = await select<CandidateRow>(
        `SELECT ${CANDIDATE_COLUMNS} FROM technicians tech WHERE ${candidateFilter(':tier', textArray(':skills'))} ORDER BY tech.id`,
        { tier, skills: jsonb(skills) },
        tx,
      );
      return rows.map(toRecord);
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

export const EVENT_TYPE_LIST = ROUTING_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

export interface RoutingEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export type RoutingQueries = ReturnType<typeof createRoutingQueries>;

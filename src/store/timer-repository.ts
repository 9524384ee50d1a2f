import type { Priority, TicketStatus, TicketType } from '../domain/values.js';
import { rows, type Db } from './handle.js';

/**
 * What routing's timers are planned from: the tickets' columns (the truth; Redis only holds the
 * near future) and the technicians' shifts.
 */

/** A ticket as its timers see it: the offer, the SLA clocks, and whether an outage holds them. */
export interface TimerTicket {
  id: string;
  /** A request's clocks run on their own targets. */
  type: TicketType;
  status: TicketStatus;
  priority: Priority;
  createdAt: Date;
  respondBy: Date | null;
  resolveBy: Date | null;
  respondedAt: Date | null;
  pausedAt: Date | null;
  offeredAt: Date | null;
  /** Linked to an outage that goes on. */
  outageOngoing: boolean;
}

export interface TechnicianShift {
  id: string;
  shift: string | null;
  available: boolean;
}

const COLUMNS = `id, type, status, priority, created_at AS "createdAt", respond_by AS "respondBy", resolve_by AS "resolveBy",
  responded_at AS "respondedAt", paused_at AS "pausedAt", offered_at AS "offeredAt",
  EXISTS (SELECT 1 FROM outages o WHERE o.id = tickets.outage_id AND (o.until IS NULL OR o.until > now())) AS "outageOngoing"`;

export function createTimerRepository(db: Db) {
  return {
    async ticket(ticketId: string): Promise<TimerTicket | null> {
      const [row] = await rows<TimerTicket>(db, `SELECT ${COLUMNS} FROM tickets WHERE id = $ticketId`, { ticketId });
      return row ?? null;
    },

    /**
     * Tickets that may have a timer before `horizon`: every waiting offer, and the open tickets
     * whose clocks run and whose due dates (or, for a warning, creation `leadMinutes` of their
     * priority before) fall within it.
     */
    async dueTickets(horizon: Date, leadMinutes: Record<Priority, number>): Promise<TimerTicket[]> {
      return rows<TimerTicket>(
        db,
        `SELECT ${COLUMNS} FROM tickets
          WHERE (status = 'assigned' AND offered_at IS NOT NULL)
             OR (status IN ('new', 'assigned', 'in_progress') AND paused_at IS NULL AND (
                   (responded_at IS NULL AND respond_by <= $horizon) OR resolve_by <= $horizon
                   OR created_at <= CAST($horizon AS timestamptz) - interval '1 minute' * CASE priority
                        WHEN 'P1' THEN CAST($p1 AS double precision) WHEN 'P2' THEN CAST($p2 AS double precision)
                        WHEN 'P3' THEN CAST($p3 AS double precision) ELSE CAST($p4 AS double precision) END))`,
        { horizon, p1: leadMinutes.P1, p2: leadMinutes.P2, p3: leadMinutes.P3, p4: leadMinutes.P4 },
      );
    },

    /** An active technician's shift; null for a removed one. */
    async technician(technicianId: string): Promise<TechnicianShift | null> {
      const [row] = await rows<TechnicianShift>(
        db,
        'SELECT id, shift, available FROM technicians WHERE id = $technicianId AND deleted_at IS NULL',
        { technicianId },
      );
      return row ?? null;
    },

    /** Active, available technicians who work shifts. */
    async shiftWorkers(): Promise<TechnicianShift[]> {
      return rows<TechnicianShift>(
        db,
        'SELECT id, shift, available FROM technicians WHERE deleted_at IS NULL AND available AND shift IS NOT NULL',
      );
    },
  };
}

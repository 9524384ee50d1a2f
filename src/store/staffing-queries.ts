import { rows, type Db } from './handle.js';
import type { Channel, Priority, Tier } from '../domain/values.js';

/** Tickets opened in one hour of the week (0 = Monday 00:00–01:00 in the desk's zone), by kind. */
export interface ArrivalCount {
  hourOfWeek: number;
  channel: Channel;
  category: string | null;
  priority: Priority;
  count: number;
}

export interface DeskTechnician {
  name: string;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  shift: string | null;
}

/**
 * What staffing and simulation learn from the desk's own history: arrivals by hour of the week,
 * the mean handling time of resolved tickets, and who is on the desk (the categories and rules come
 * from routing's own rules book).
 */
export function createStaffingQueries(db: Db) {
  return {
    /** Tickets opened in [from, to), counted by hour of the week in `timezone`. */
    async arrivalsByHourOfWeek(from: Date, to: Date, timezone: string): Promise<ArrivalCount[]> {
      return rows<ArrivalCount>(
        db,
        `SELECT ((extract(isodow FROM created_at AT TIME ZONE CAST($timezone AS text))::int - 1) * 24
                 + extract(hour FROM created_at AT TIME ZONE CAST($timezone AS text))::int) AS "hourOfWeek",
                channel, category, priority, count(*)::int AS count
           FROM tickets
          WHERE created_at >= $from AND created_at < $to
          GROUP BY 1, channel, category, priority
          ORDER BY 1, channel, category, priority`,
        { from, to, timezone },
      );
    },

    /**
     * Mean seconds from the first response (or the opening, when nobody answered first) to the
     * resolution, waiting on the requester excluded, over tickets resolved in [from, to); null when none was.
     */
    async meanHandlingSeconds(from: Date, to: Date): Promise<number | null> {
      const [row] = await rows<{ seconds: number | null }>(
        db,
        `SELECT avg(greatest(0, extract(epoch FROM resolved_at - coalesce(responded_at, created_at)) - paused_seconds))::float8 AS seconds
           FROM tickets WHERE resolved_at >= $from AND resolved_at < $to`,
        { from, to },
      );
      return row?.seconds ?? null;
    },

    async technicians(): Promise<DeskTechnician[]> {
      return rows<DeskTechnician>(
        db,
        `SELECT name, tier, skills, max_load AS "maxLoad", shift FROM technicians
          WHERE deleted_at IS NULL AND available AND max_load > 0 ORDER BY created_at, id`,
      );
    },
  };
}

import { rows, type Db } from './handle.js';

export interface DeskStats {
  from: string;
  to: string;
  byChannel: Record<string, number>;
  byPriority: Record<string, number>;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  mttaSeconds: number | null;
  mttrSeconds: number | null;
  firstContactResolutionRate: number | null;
  slaCompliance: number | null;
}

/**
 * The desk's figures over tickets opened in [from, to):
 * - MTTA: mean time from opening to the first response (a technician accepting or answering);
 * - MTTR: mean time from opening to resolution;
 * - first-contact resolution: resolved tickets never reassigned, escalated or reopened;
 * - SLA compliance: tickets with a due date that have not breached it.
 */
export function createStatsRepository(db: Db) {
  return {
    async compute(from: Date, to: Date): Promise<DeskStats> {
      const bind = { from, to };
      const counts = await rows<{ dimension: string; key: string | null; n: number }>(
        db,
        `SELECT 'channel' AS dimension, channel AS key, count(*)::int AS n FROM tickets
          WHERE created_at >= $from AND created_at < $to GROUP BY channel
         UNION ALL
         SELECT 'priority', priority, count(*)::int FROM tickets
          WHERE created_at >= $from AND created_at < $to GROUP BY priority
         UNION ALL
         SELECT 'status', status, count(*)::int FROM tickets
          WHERE created_at >= $from AND created_at < $to GROUP BY status
         UNION ALL
         SELECT 'category', coalesce(category, 'uncategorised'), count(*)::int FROM tickets
          WHERE created_at >= $from AND created_at < $to GROUP BY category`,
        bind,
      );
      const [figures] = await rows<{
        mtta: number | null;
        mttr: number | null;
        fcr: number | null;
        sla: number | null;
      }>(
        db,
        `SELECT avg(extract(epoch FROM responded_at - created_at))::float AS mtta,
                avg(extract(epoch FROM resolved_at - created_at))::float AS mttr,
                (count(*) FILTER (WHERE resolved_at IS NOT NULL AND reassignments = 0 AND escalations = 0 AND reopens = 0))::float
                  / nullif(count(*) FILTER (WHERE resolved_at IS NOT NULL), 0) AS fcr,
                (count(*) FILTER (WHERE resolve_by IS NOT NULL AND NOT breached))::float
                  / nullif(count(*) FILTER (WHERE resolve_by IS NOT NULL), 0) AS sla
           FROM tickets WHERE created_at >= $from AND created_at < $to`,
        bind,
      );
      const group = (dimension: string) =>
        Object.fromEntries(counts.filter((c) => c.dimension === dimension).map((c) => [c.key ?? 'none', c.n]));
      const round = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        byChannel: group('channel'),
        byPriority: group('priority'),
        byStatus: group('status'),
        byCategory: group('category'),
        mttaSeconds: round(figures?.mtta, 0),
        mttrSeconds: round(figures?.mttr, 0),
        firstContactResolutionRate: round(figures?.fcr, 4),
        slaCompliance: round(figures?.sla, 4),
      };
    },
  };
}

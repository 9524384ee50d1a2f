import type { TicketType } from '../domain/values.js';
import { rows, type Db } from './handle.js';
import { createStatsSeries, groupColumns, GROUP_KEYS, sumsOf, type GroupRow, type StatsSums } from './stats-series.js';

export interface DeskStats {
  from: string;
  to: string;
  byChannel: Record<string, number>;
  byPriority: Record<string, number>;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  /** Every type, 0 when none was opened: `{incident, request}`. */
  byType: Record<TicketType, number>;
  mttaSeconds: number | null;
  mttrSeconds: number | null;
  firstContactResolutionRate: number | null;
  /** Resolved tickets resolved at tier 1, of all resolved. */
  tier1ResolutionRate: number | null;
  /** Resolved tickets resolved by the requester through an article link, of all resolved. */
  selfServiceRate: number | null;
  slaCompliance: number | null;
}

/** Open tickets by how long ago they were opened (upper bounds in days; the last bucket has none). */
export interface BacklogAge {
  priority: string;
  ages: number[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The desk's figures over tickets opened in [from, to), from their sums:
 * - MTTA: mean time from opening to the first response (a technician accepting or answering);
 * - MTTR: mean time from opening to resolution;
 * - first-contact resolution: resolved tickets resolved by their first assignee, never reassigned,
 *   escalated or reopened; beside it the share resolved at tier 1;
 * - self-service: resolved tickets resolved by an article link;
 * - SLA compliance: tickets with a due date that have not breached it.
 */
export function figuresOf(from: Date, to: Date, sums: StatsSums): DeskStats {
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    byChannel: sums.byChannel,
    byPriority: sums.byPriority,
    byStatus: sums.byStatus,
    byCategory: sums.byCategory,
    byType: { incident: sums.byType.incident ?? 0, request: sums.byType.request ?? 0 },
    mttaSeconds: round(ratio(sums.respondSeconds, sums.responded), 0),
    mttrSeconds: round(ratio(sums.resolveSeconds, sums.resolved), 0),
    firstContactResolutionRate: round(ratio(sums.firstContact, sums.resolved), 4),
    tier1ResolutionRate: round(ratio(sums.tier1, sums.resolved), 4),
    selfServiceRate: round(ratio(sums.selfService, sums.resolved), 4),
    slaCompliance: round(ratio(total(sums.slaMet), total(sums.slaDue)), 4),
  };
}

export function createStatsRepository(db: Db) {
  return {
    /**
     * One pass over the period: a few hundred groups (channel × priority × status × category × score)
     * that every figure is a sum of. One statement with a plain GROUP BY, not one per dimension or
     * GROUPING SETS: Postgres can split a plain GROUP BY among parallel workers.
     */
    async compute(from: Date, to: Date): Promise<DeskStats> {
      const groups = await rows<GroupRow>(
        db,
        `SELECT ${groupColumns('$from')} FROM tickets WHERE created_at >= $from AND created_at < $to GROUP BY ${GROUP_KEYS}`,
        { from, to },
      );
      return figuresOf(from, to, sumsOf(groups));
    },

    /** Each day's sums (store/stats-series.ts): what the console's period and charts add up. */
    days: createStatsSeries(db).days,

    /**
     * The tickets open at `now`, by priority and age: `limits` are the buckets' upper bounds in days,
     * ascending; `ages` has one more entry, for the tickets older than the last bound.
     */
    async backlog(now: Date, limits: number[]): Promise<BacklogAge[]> {
      const found = await rows<{ priority: string; bucket: number; n: number }>(
        db,
        `SELECT priority, width_bucket(date_part('epoch', CAST($now AS timestamptz) - created_at) / 86400, CAST($limits AS float8[])) AS bucket,
                count(*)::int AS n
           FROM tickets WHERE status IN ('new', 'assigned', 'in_progress', 'pending')
          GROUP BY 1, 2`,
        { now, limits: `{${limits.join(',')}}` },
      );
      const byPriority = new Map<string, number[]>();
      for (const row of found) {
        const ages = byPriority.get(row.priority) ?? limits.map(() => 0).concat(0);
        const bucket = Math.min(Math.max(row.bucket, 0), limits.length);
        ages[bucket] = (ages[bucket] ?? 0) + row.n;
        byPriority.set(row.priority, ages);
      }
      return [...byPriority].sort(([a], [b]) => a.localeCompare(b)).map(([priority, ages]) => ({ priority, ages }));
    },
  };
}

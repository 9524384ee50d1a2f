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

/** Tickets with a resolution target, and those that kept it. */
export interface SlaCount {
  due: number;
  met: number;
}

/** Everything one pass over a period's tickets yields: the API's figures and what the console charts besides. */
export interface PeriodStats {
  figures: DeskStats;
  slaByPriority: Record<string, SlaCount>;
  /** Survey answers by score, "1" to "5" (a score nobody gave is absent). */
  scores: Record<string, number>;
}

/** One day (in the desk's time zone) and channel: sums, so that days fold into weeks exactly. */
export interface DayStats {
  /** YYYY-MM-DD in the desk's time zone. */
  day: string;
  channel: string;
  opened: number;
  responded: number;
  respondSeconds: number;
  resolved: number;
  resolveSeconds: number;
  firstContact: number;
  rated: number;
  scoreSum: number;
}

/** Open tickets by how long ago they were opened (upper bounds in days; the last bucket has none). */
export interface BacklogAge {
  priority: string;
  ages: number[];
}

/** A ticket resolved at first contact: never reassigned, escalated or reopened. */
const FIRST_CONTACT = 'resolved_at IS NOT NULL AND reassignments = 0 AND escalations = 0 AND reopens = 0';
/** Seconds as double precision: `extract` answers numeric, whose sums cost several times more over a year of tickets. */
const RESPOND_SECONDS = `date_part('epoch', responded_at - created_at)`;
const RESOLVE_SECONDS = `date_part('epoch', resolved_at - created_at)`;
/** Every column read here is in tickets_stats_idx (migration 065): the period is an index-only range scan. */
const IN_PERIOD = 'created_at >= $from AND created_at < $to';

interface PeriodRow {
  channel: string;
  priority: string;
  status: string;
  category: string | null;
  satisfaction: number | null;
  n: number;
  responded: number;
  respond_seconds: number | null;
  resolved: number;
  resolve_seconds: number | null;
  first_contact: number;
  sla_due: number;
  sla_met: number;
}

const sum = (list: PeriodRow[], pick: (row: PeriodRow) => number | null) => list.reduce((total, row) => total + (pick(row) ?? 0), 0);
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));

function countBy(list: PeriodRow[], key: (row: PeriodRow) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of list) counts[key(row)] = (counts[key(row)] ?? 0) + row.n;
  return counts;
}

/**
 * The desk's figures over tickets opened in [from, to), from the period's groups:
 * - MTTA: mean time from opening to the first response (a technician accepting or answering);
 * - MTTR: mean time from opening to resolution;
 * - first-contact resolution: resolved tickets never reassigned, escalated or reopened;
 * - SLA compliance: tickets with a due date that have not breached it.
 */
function deskStats(from: Date, to: Date, groups: PeriodRow[]): DeskStats {
  const responded = sum(groups, (g) => g.responded);
  const resolved = sum(groups, (g) => g.resolved);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    byChannel: countBy(groups, (g) => g.channel),
    byPriority: countBy(groups, (g) => g.priority),
    byStatus: countBy(groups, (g) => g.status),
    byCategory: countBy(groups, (g) => g.category ?? 'uncategorised'),
    mttaSeconds: round(
      ratio(
        sum(groups, (g) => g.respond_seconds),
        responded,
      ),
      0,
    ),
    mttrSeconds: round(
      ratio(
        sum(groups, (g) => g.resolve_seconds),
        resolved,
      ),
      0,
    ),
    firstContactResolutionRate: round(
      ratio(
        sum(groups, (g) => g.first_contact),
        resolved,
      ),
      4,
    ),
    slaCompliance: round(
      ratio(
        sum(groups, (g) => g.sla_met),
        sum(groups, (g) => g.sla_due),
      ),
      4,
    ),
  };
}

export function createStatsRepository(db: Db) {
  /**
   * One pass over the period: a few hundred groups (channel × priority × status × category × score)
   * that every figure is a sum of. One statement with plain GROUP BY, not one per dimension or
   * GROUPING SETS: Postgres can split a plain GROUP BY among parallel workers.
   */
  async function period(from: Date, to: Date): Promise<PeriodStats> {
    const groups = await rows<PeriodRow>(
      db,
      `SELECT channel, priority, status, category, satisfaction, count(*)::int AS n,
              count(responded_at)::int AS responded, sum(${RESPOND_SECONDS}) AS respond_seconds,
              count(resolved_at)::int AS resolved, sum(${RESOLVE_SECONDS}) AS resolve_seconds,
              (count(*) FILTER (WHERE ${FIRST_CONTACT}))::int AS first_contact,
              count(resolve_by)::int AS sla_due,
              (count(*) FILTER (WHERE resolve_by IS NOT NULL AND NOT breached))::int AS sla_met
         FROM tickets WHERE ${IN_PERIOD}
        GROUP BY channel, priority, status, category, satisfaction`,
      { from, to },
    );
    const slaByPriority: Record<string, SlaCount> = {};
    for (const g of groups) {
      const sla = (slaByPriority[g.priority] ??= { due: 0, met: 0 });
      sla.due += g.sla_due;
      sla.met += g.sla_met;
    }
    const scores: Record<string, number> = {};
    for (const g of groups) if (g.satisfaction !== null) scores[String(g.satisfaction)] = (scores[String(g.satisfaction)] ?? 0) + g.n;
    return { figures: deskStats(from, to, groups), slaByPriority, scores };
  }

  return {
    period,

    async compute(from: Date, to: Date): Promise<DeskStats> {
      return (await period(from, to)).figures;
    },

    /** The period's tickets by the day they were opened on in `timezone`, and by channel: the charts' series. */
    async daily(from: Date, to: Date, timezone: string): Promise<DayStats[]> {
      return rows<DayStats>(
        db,
        `SELECT to_char(created_at AT TIME ZONE $timezone, 'YYYY-MM-DD') AS day, channel,
                count(*)::int AS opened,
                count(responded_at)::int AS responded, coalesce(sum(${RESPOND_SECONDS}), 0)::float AS "respondSeconds",
                count(resolved_at)::int AS resolved, coalesce(sum(${RESOLVE_SECONDS}), 0)::float AS "resolveSeconds",
                (count(*) FILTER (WHERE ${FIRST_CONTACT}))::int AS "firstContact",
                count(satisfaction)::int AS rated, coalesce(sum(satisfaction), 0)::int AS "scoreSum"
           FROM tickets WHERE ${IN_PERIOD}
          GROUP BY 1, channel ORDER BY 1, channel`,
        { from, to, timezone },
      );
    },

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

import { rows, run, type Db } from './handle.js';

/** A set of tickets' sums: every figure and chart of a period adds these up, day by day. */
export interface StatsSums {
  byChannel: Record<string, number>;
  byPriority: Record<string, number>;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  /** Incidents and service requests (a request's tasks are requests too). */
  byType: Record<string, number>;
  responded: number;
  respondSeconds: number;
  resolved: number;
  resolveSeconds: number;
  firstContact: number;
  /** Resolved tickets resolved at tier 1 (never escalated above it). */
  tier1: number;
  /** Resolved tickets resolved by the requester through an article link, and not reopened since. */
  selfService: number;
  /** Per priority: tickets with a resolution target, and those that kept it. */
  slaDue: Record<string, number>;
  slaMet: Record<string, number>;
  /** Survey answers by score, "1" to "5". */
  scores: Record<string, number>;
}

/** A day as the desk counts it: its date and the instants it runs between, in the desk's time zone. */
export interface DeskDay {
  day: string;
  start: Date;
  end: Date;
}

export function emptySums(): StatsSums {
  return {
    byChannel: {},
    byPriority: {},
    byStatus: {},
    byCategory: {},
    byType: {},
    responded: 0,
    respondSeconds: 0,
    resolved: 0,
    resolveSeconds: 0,
    firstContact: 0,
    tier1: 0,
    selfService: 0,
    slaDue: {},
    slaMet: {},
    scores: {},
  };
}

const add = (counts: Record<string, number>, key: string, n: number) => {
  counts[key] = (counts[key] ?? 0) + n;
};

export function addSums(into: StatsSums, more: StatsSums): StatsSums {
  for (const field of ['byChannel', 'byPriority', 'byStatus', 'byCategory', 'byType', 'slaDue', 'slaMet', 'scores'] as const) {
    for (const [key, n] of Object.entries(more[field])) add(into[field], key, n);
  }
  into.responded += more.responded;
  into.respondSeconds += more.respondSeconds;
  into.resolved += more.resolved;
  into.resolveSeconds += more.resolveSeconds;
  into.firstContact += more.firstContact;
  into.tier1 += more.tier1;
  into.selfService += more.selfService;
  return into;
}

/** One group of tickets alike in every dimension a figure is broken down by. */
export interface GroupRow {
  channel: string;
  priority: string;
  status: string;
  category: string | null;
  type: string;
  satisfaction: number | null;
  n: number;
  responded: number;
  respond_seconds: number | null;
  resolved: number;
  resolve_seconds: number | null;
  first_contact: number;
  tier1: number;
  self_service: number;
  sla_due: number;
  sla_met: number;
}

/**
 * The groups' columns. A ticket resolved at first contact was resolved by its first assignee: it has
 * an assignee and was never reassigned (tickets/actions.ts counts every offer to anyone but the
 * first assignee), escalated or reopened; a ticket resolved with nobody assigned (by a coordinator,
 * by the requester) was not. A self-service resolution is a `resolved` event from an article link
 * (migration 084 indexes those by time) on a ticket never reopened, so that its one resolution is
 * that one; `since`, an SQL expression, is the start of the period: a ticket opened in it was
 * resolved after it, so the events before it are not read.
 * Seconds as double precision: `extract` answers numeric, whose sums cost several times
 * more over a year of tickets. Every column is in tickets_stats_idx (migration 065), so a range of
 * created_at is an index-only scan.
 */
export const groupColumns = (since: string) => `channel, priority, status, category, type, satisfaction, count(*)::int AS n,
  count(responded_at)::int AS responded, sum(date_part('epoch', responded_at - created_at)) AS respond_seconds,
  count(resolved_at)::int AS resolved, sum(date_part('epoch', resolved_at - created_at)) AS resolve_seconds,
  (count(*) FILTER (WHERE resolved_at IS NOT NULL AND assignee_id IS NOT NULL AND reassignments = 0 AND escalations = 0
                     AND reopens = 0))::int AS first_contact,
  (count(*) FILTER (WHERE resolved_at IS NOT NULL AND tier = 1))::int AS tier1,
  (count(*) FILTER (WHERE resolved_at IS NOT NULL AND reopens = 0 AND id IN (
     SELECT ticket_id FROM ticket_events WHERE type = 'resolved' AND data->>'via' = 'self-service' AND at >= ${since})))::int
     AS self_service,
  count(resolve_by)::int AS sla_due,
  (count(*) FILTER (WHERE resolve_by IS NOT NULL AND NOT breached))::int AS sla_met`;
export const GROUP_KEYS = 'channel, priority, status, category, type, satisfaction';

export function sumsOf(groups: GroupRow[]): StatsSums {
  const sums = emptySums();
  for (const g of groups) {
    add(sums.byChannel, g.channel, g.n);
    add(sums.byPriority, g.priority, g.n);
    add(sums.byStatus, g.status, g.n);
    add(sums.byCategory, g.category ?? 'uncategorised', g.n);
    add(sums.byType, g.type, g.n);
    sums.responded += g.responded;
    sums.respondSeconds += g.respond_seconds ?? 0;
    sums.resolved += g.resolved;
    sums.resolveSeconds += g.resolve_seconds ?? 0;
    sums.firstContact += g.first_contact;
    sums.tier1 += g.tier1;
    sums.selfService += g.self_service;
    add(sums.slaDue, g.priority, g.sla_due);
    add(sums.slaMet, g.priority, g.sla_met);
    if (g.satisfaction !== null) add(sums.scores, String(g.satisfaction), g.n);
  }
  return sums;
}

/**
 * A ticket's change lands in the index with the time its writer read (ticket-writer.ts) and becomes
 * visible at commit: a change committed later than that, or stamped by a host whose clock lags, is
 * still found when the next look goes back this far.
 */
const MARGIN_MS = 10 * 60_000;

/**
 * Each day's sums, kept (stats_days) and computed again only for the days whose tickets changed:
 * a year of a busy desk is a million tickets to aggregate, while most of its days are long settled.
 */
export function createStatsSeries(db: Db) {
  /** Drops the sums of every day with a ticket changed since the last look, then moves the mark. */
  async function forgetChangedDays(timezone: string): Promise<void> {
    const [mark] = await rows<{ checked_at: Date | null; now: Date }>(
      db,
      `SELECT (SELECT checked_at FROM stats_watermark WHERE timezone = $timezone) AS checked_at, statement_timestamp() AS now`,
      { timezone },
    );
    if (!mark) return;
    if (mark.checked_at === null) {
      await run(db, 'DELETE FROM stats_days WHERE timezone = $timezone', { timezone });
    } else {
      await run(
        db,
        `DELETE FROM stats_days WHERE timezone = $timezone AND day IN (
           SELECT DISTINCT (created_at AT TIME ZONE $timezone)::date FROM tickets WHERE updated_at >= $since)`,
        { timezone, since: new Date(mark.checked_at.getTime() - MARGIN_MS) },
      );
    }
    await run(
      db,
      `INSERT INTO stats_watermark (timezone, checked_at) VALUES ($timezone, $now)
       ON CONFLICT (timezone) DO UPDATE SET checked_at = GREATEST(stats_watermark.checked_at, EXCLUDED.checked_at)`,
      { timezone, now: mark.now },
    );
  }

  /** The days' sums computed from the tickets, one index range scan per day. */
  async function compute(days: DeskDay[], timezone: string): Promise<Map<string, StatsSums>> {
    const groups = await rows<GroupRow & { day: string }>(
      db,
      `SELECT d.day, g.*
         FROM jsonb_to_recordset(CAST($days AS jsonb)) AS d(day text, start_at timestamptz, end_at timestamptz)
        CROSS JOIN LATERAL (
          SELECT ${groupColumns('CAST($since AS timestamptz)')} FROM tickets
           WHERE created_at >= d.start_at AND created_at < d.end_at GROUP BY ${GROUP_KEYS}) g`,
      {
        days: JSON.stringify(days.map((d) => ({ day: d.day, start_at: d.start.toISOString(), end_at: d.end.toISOString() }))),
        since: new Date(Math.min(...days.map((d) => d.start.getTime()))),
      },
    );
    const byDay = new Map<string, GroupRow[]>(days.map((d) => [d.day, []]));
    for (const g of groups) byDay.get(g.day)?.push(g);
    const sums = new Map([...byDay].map(([day, list]) => [day, sumsOf(list)]));
    await run(
      db,
      `INSERT INTO stats_days (timezone, day, sums)
       SELECT $timezone, CAST(key AS date), value FROM jsonb_each(CAST($sums AS jsonb))
       ON CONFLICT (timezone, day) DO UPDATE SET sums = EXCLUDED.sums`,
      { timezone, sums: JSON.stringify(Object.fromEntries(sums)) },
    );
    return sums;
  }

  return {
    /** The sums of each of `days` (in order), from what is kept where it still holds. */
    async days(days: DeskDay[], timezone: string): Promise<Array<{ day: string; sums: StatsSums }>> {
      if (days.length === 0) return [];
      await forgetChangedDays(timezone);
      const kept = await rows<{ day: string; sums: StatsSums }>(
        db,
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, sums FROM stats_days
          WHERE timezone = $timezone AND day BETWEEN CAST($first AS date) AND CAST($last AS date)`,
        { timezone, first: days[0]?.day, last: days[days.length - 1]?.day },
      );
      const known = new Map(kept.map((k) => [k.day, k.sums]));
      const missing = days.filter((d) => !known.has(d.day));
      if (missing.length > 0) for (const [day, sums] of await compute(missing, timezone)) known.set(day, sums);
      return days.map((d) => ({ day: d.day, sums: known.get(d.day) ?? emptySums() }));
    },
  };
}

import { DateTime } from 'luxon';
import { agentsFor, type ServiceTarget } from './erlang-c.js';

/** What the desk has handled before any ticket is resolved: half an hour a ticket. */
export const DEFAULT_AHT_SECONDS = 1800;

export interface HourOfWeekStaffing {
  /** 0 = Monday 00:00–01:00 in the desk's zone. */
  hourOfWeek: number;
  arrivalsPerHour: number;
  ahtSeconds: number;
  technicians: number;
}

/** Hour of the week (0–167 from Monday 00:00) of an instant, in `timezone`. */
export function hourOfWeek(at: number, timezone: string): number {
  const local = DateTime.fromMillis(at, { zone: timezone });
  return (local.weekday - 1) * 24 + local.hour;
}

/**
 * How many times each hour of the week occurs in [from, to): the divisor that turns a count of
 * arrivals into a rate. Counted hour by hour in the zone, so a range that is not whole weeks (or
 * crosses a DST change) divides each hour by its own occurrences.
 */
export function hourOfWeekOccurrences(from: Date, to: Date, timezone: string): number[] {
  const seen = new Array<number>(168).fill(0);
  const HOUR = 3_600_000;
  // From the first whole hour: an hour only partly inside counts as a share of itself.
  for (let t = from.getTime(); t < to.getTime(); t += HOUR) {
    const i = hourOfWeek(t, timezone);
    seen[i] = (seen[i] ?? 0) + Math.min(HOUR, to.getTime() - t) / HOUR;
  }
  return seen;
}

/** Erlang C per hour of the week from the desk's counts: the contract's GET /api/staffing items. */
export function staffingByHourOfWeek(
  counts: readonly { hourOfWeek: number; count: number }[],
  occurrences: readonly number[],
  ahtSeconds: number,
  target: ServiceTarget,
): HourOfWeekStaffing[] {
  const arrivals = new Array<number>(168).fill(0);
  for (const c of counts) arrivals[c.hourOfWeek] = (arrivals[c.hourOfWeek] ?? 0) + c.count;
  return arrivals.map((count, hour) => {
    const seen = occurrences[hour] ?? 0;
    const arrivalsPerHour = seen > 0 ? count / seen : 0;
    const technicians = arrivalsPerHour > 0 ? agentsFor({ arrivalsPerHour, ahtSeconds }, target).agents : 0;
    return { hourOfWeek: hour, arrivalsPerHour: Number(arrivalsPerHour.toFixed(4)), ahtSeconds: Math.round(ahtSeconds), technicians };
  });
}

import { DateTime } from 'luxon';
import { addSums, emptySums, type DeskDay, type StatsSums } from '../../../store/stats-series.js';

/** Trends are drawn per day over a short period, per week over a longer one (a year of days is noise). */
export type Bucket = 'day' | 'week';
const DAILY_UP_TO_DAYS = 62;

/** A day's sums, as the store keeps them. */
export interface DaySums {
  day: string;
  sums: StatsSums;
}

/** One point of a trend: its start (in the desk's time zone) and the sums of the days it covers. */
export interface Point {
  start: DateTime;
  sums: StatsSums;
}

/** Every day of [from, to) as the desk counts days (a day of a change of clocks is 23 or 25 hours). */
export function deskDays(from: Date, to: Date, timezone: string): DeskDay[] {
  const days: DeskDay[] = [];
  const end = DateTime.fromJSDate(to, { zone: timezone });
  for (let day = DateTime.fromJSDate(from, { zone: timezone }).startOf('day'); day < end; day = day.plus({ days: 1 })) {
    days.push({ day: day.toISODate() ?? '', start: day.toJSDate(), end: day.plus({ days: 1 }).toJSDate() });
  }
  return days;
}

export function bucketOf(from: Date, to: Date): Bucket {
  return to.getTime() - from.getTime() <= DAILY_UP_TO_DAYS * 86_400_000 ? 'day' : 'week';
}

/** The days (or weeks, ISO: from Monday) of the period, each with the sums of its days. */
export function pointsOf(days: DaySums[], timezone: string, bucket: Bucket): Point[] {
  const points = new Map<string, Point>();
  for (const { day, sums } of days) {
    const date = DateTime.fromISO(day, { zone: timezone });
    const start = bucket === 'day' ? date : date.startOf('week');
    const key = start.toISODate() ?? day;
    const point = points.get(key);
    if (point) addSums(point.sums, sums);
    else points.set(key, { start, sums: addSums(emptySums(), sums) });
  }
  return [...points.values()];
}

/** A mean in hours (two decimals), or null where nothing was measured: the chart leaves a gap. */
export function hours(seconds: number, count: number): number | null {
  return count === 0 ? null : Math.round((seconds / count / 3600) * 100) / 100;
}

/** A share in percent (one decimal), or null where nothing was measured. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

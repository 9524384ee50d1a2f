import { DateTime } from 'luxon';
import type { DayStats } from '../../../store/stats-repository.js';

/** Trends are drawn per day over a short period, per week over a longer one (a year of days is noise). */
export type Bucket = 'day' | 'week';
const DAILY_UP_TO_DAYS = 62;

/** One point of a trend: its start (in the desk's time zone) and the sums of the days it covers. */
export interface Point {
  start: DateTime;
  opened: Record<string, number>;
  responded: number;
  respondSeconds: number;
  resolved: number;
  resolveSeconds: number;
  firstContact: number;
}

/** Every day of [from, to) as the desk counts days: a day with no ticket still has its point. */
function daysOf(from: Date, to: Date, timezone: string): DateTime[] {
  const days: DateTime[] = [];
  const end = DateTime.fromJSDate(to, { zone: timezone });
  for (let day = DateTime.fromJSDate(from, { zone: timezone }).startOf('day'); day < end; day = day.plus({ days: 1 })) days.push(day);
  return days;
}

export function bucketOf(from: Date, to: Date): Bucket {
  return to.getTime() - from.getTime() <= DAILY_UP_TO_DAYS * 86_400_000 ? 'day' : 'week';
}

/** The days (or weeks, ISO: from Monday) of the period, each with the sums of its tickets. */
export function pointsOf(rows: DayStats[], period: { from: Date; to: Date; timezone: string; bucket: Bucket }): Point[] {
  const points = new Map<string, Point>();
  const keyOf = (day: DateTime) => (period.bucket === 'day' ? day : day.startOf('week')).toISODate() ?? '';
  for (const day of daysOf(period.from, period.to, period.timezone)) {
    const key = keyOf(day);
    if (!points.has(key)) {
      const start = period.bucket === 'day' ? day : day.startOf('week');
      points.set(key, { start, opened: {}, responded: 0, respondSeconds: 0, resolved: 0, resolveSeconds: 0, firstContact: 0 });
    }
  }
  for (const row of rows) {
    const point = points.get(keyOf(DateTime.fromISO(row.day, { zone: period.timezone })));
    if (!point) continue;
    point.opened[row.channel] = (point.opened[row.channel] ?? 0) + row.opened;
    point.responded += row.responded;
    point.respondSeconds += row.respondSeconds;
    point.resolved += row.resolved;
    point.resolveSeconds += row.resolveSeconds;
    point.firstContact += row.firstContact;
  }
  return [...points.values()];
}

/** The days of the period with their tickets per channel (volume is always drawn per day). */
export function dailyVolume(rows: DayStats[], period: { from: Date; to: Date; timezone: string }): Point[] {
  return pointsOf(rows, { ...period, bucket: 'day' });
}

/** A mean in hours (two decimals), or null where nothing was measured: the chart leaves a gap. */
export function hours(seconds: number, count: number): number | null {
  return count === 0 ? null : Math.round((seconds / count / 3600) * 100) / 100;
}

/** A share in percent (one decimal), or null where nothing was measured. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

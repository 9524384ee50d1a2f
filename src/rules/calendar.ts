import { DateTime } from 'luxon';
import type { BusinessHours } from '../config/business-hours.js';

/**
 * Business-time arithmetic. Opening windows are wall-clock times in the calendar's zone, turned into
 * instants day by day, so a 08:00-18:00 window lasts 10 real hours on a DST day too; a business
 * minute is a real minute inside an open window. Calendars are plain values: rebuild, don't mutate.
 */
export interface BusinessCalendar {
  /** IANA zone, e.g. Europe/Paris. */
  timezone: string;
  hours: BusinessHours;
  /** Closed days, `YYYY-MM-DD` in the calendar's zone. Ignored with `always` hours: a 24/7 desk is staffed on holidays too. */
  holidays: string[];
}

const alwaysOpenByZone = new Map<string, BusinessCalendar>();

/** For P1, whose clocks run around the clock whatever the desk's hours. One value per zone. */
export function alwaysOpen(timezone = 'UTC'): BusinessCalendar {
  let calendar = alwaysOpenByZone.get(timezone);
  if (!calendar) {
    calendar = { timezone, hours: { kind: 'always' }, holidays: [] };
    alwaysOpenByZone.set(timezone, calendar);
  }
  return calendar;
}

const MINUTE = 60_000;
/**
 * A weekly calendar open on no day at all (every day a holiday, say) would otherwise loop forever;
 * two years without an opening is a configuration error, not a due date.
 */
const MAX_CLOSED_DAYS = 2 * 366;

interface Prepared {
  zone: string;
  always: boolean;
  /** Index 1..7 (ISO weekday): merged, sorted [startMinute, endMinute) pairs. */
  windows: [number, number][][];
  holidays: Set<string>;
}

// Calendars are values never mutated, so each is prepared once (checking its zone is what costs).
const preparedOnce = new WeakMap<BusinessCalendar, Prepared>();

function prepare(cal: BusinessCalendar): Prepared {
  let p = preparedOnce.get(cal);
  if (!p) {
    p = prepareNow(cal);
    preparedOnce.set(cal, p);
  }
  return p;
}

function prepareNow(cal: BusinessCalendar): Prepared {
  if (!DateTime.fromMillis(0, { zone: cal.timezone }).isValid) throw new RangeError(`unknown time zone "${cal.timezone}"`);
  const windows: [number, number][][] = [[], [], [], [], [], [], [], []];
  if (cal.hours.kind === 'weekly') {
    const sorted = [...cal.hours.windows].sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
    for (const w of sorted) {
      const day = windows[w.weekday];
      if (!day) continue;
      const last = day[day.length - 1];
      // Overlapping segments ("mon-fri 08:00-12:00; mon 10:00-14:00") must not count twice.
      if (last && w.startMinute <= last[1]) last[1] = Math.max(last[1], w.endMinute);
      else day.push([w.startMinute, w.endMinute]);
    }
  }
  return { zone: cal.timezone, always: cal.hours.kind === 'always', windows, holidays: new Set(cal.holidays) };
}

function localDay(p: Prepared, ms: number): DateTime {
  return DateTime.fromMillis(ms, { zone: p.zone }).startOf('day');
}

/** Wall-clock minute of a local day as an instant; a time skipped by DST moves forward, as clocks do. */
function instant(day: DateTime, minute: number): number {
  if (minute >= 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();
}

const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);

function dayIntervals(p: Prepared, day: DateTime, next: DateTime): [number, number][] {
  const windows = p.windows[day.weekday];
  if (!windows || windows.length === 0) return [];
  if (p.holidays.size > 0 && p.holidays.has(`${day.year}-${pad(day.month)}-${pad(day.day)}`)) return [];
  const midnight = day.toMillis();
  // Most days are 24 hours long and local minutes map linearly; only DST days need luxon's rules.
  const regular = next.toMillis() - midnight === 1440 * MINUTE;
  const at = (minute: number) => (regular ? midnight + minute * MINUTE : instant(day, minute));
  const result: [number, number][] = [];
  let previousEnd = -Infinity;
  for (const [startMinute, endMinute] of windows) {
    const start = Math.max(at(startMinute), previousEnd);
    const end = at(endMinute);
    if (end > start) {
      result.push([start, end]);
      previousEnd = end;
    }
  }
  return result;
}

/**
 * Visits open intervals in time order from the local day containing `fromMs`, a whole day per step.
 * `visit` returns false to stop; `untilMs` bounds the walk for callers that have an end.
 */
function walk(p: Prepared, fromMs: number, visit: (start: number, end: number) => boolean, untilMs?: number): void {
  let day = localDay(p, fromMs);
  let closedDays = 0;
  for (;;) {
    if (untilMs !== undefined && day.toMillis() >= untilMs) return;
    const next = day.plus({ days: 1 });
    const intervals = dayIntervals(p, day, next);
    if (intervals.length === 0) {
      if (untilMs === undefined && ++closedDays > MAX_CLOSED_DAYS) {
        throw new RangeError('the business calendar has no opening within two years');
      }
    } else {
      closedDays = 0;
      for (const [start, end] of intervals) {
        if (end <= fromMs) continue;
        if (!visit(start, end)) return;
      }
    }
    day = next;
  }
}

export function isOpen(cal: BusinessCalendar, at: Date): boolean {
  const p = prepare(cal);
  if (p.always) return true;
  const ms = at.getTime();
  const day = localDay(p, ms);
  return dayIntervals(p, day, day.plus({ days: 1 })).some(([start, end]) => start <= ms && ms < end);
}

/** `at` itself when open, else the start of the next opening. */
export function nextOpening(cal: BusinessCalendar, at: Date): Date {
  const p = prepare(cal);
  if (p.always) return new Date(at.getTime());
  const ms = at.getTime();
  let result = ms;
  walk(p, ms, (start) => {
    result = Math.max(start, ms);
    return false;
  });
  return new Date(result);
}

/**
 * The instant `minutes` business minutes after `start`. A target that ends exactly at closing time
 * is due at closing time, not at the next opening.
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`cannot add ${minutes} business minutes`);
  const p = prepare(cal);
  const from = start.getTime();
  let remaining = minutes * MINUTE;
  if (p.always || remaining === 0) return new Date(from + remaining);
  let result = from;
  walk(p, from, (intervalStart, intervalEnd) => {
    const s = Math.max(intervalStart, from);
    const available = intervalEnd - s;
    if (remaining <= available) {
      result = s + remaining;
      return false;
    }
    remaining -= available;
    return true;
  });
  return new Date(result);
}

/** Business minutes in [from, to); 0 when `to` is not after `from`. May be fractional. */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const p = prepare(cal);
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (p.always) return (b - a) / MINUTE;
  let total = 0;
  walk(
    p,
    a,
    (start, end) => {
      if (start >= b) return false;
      total += Math.min(end, b) - Math.max(start, a);
      return true;
    },
    b,
  );
  return total / MINUTE;
}

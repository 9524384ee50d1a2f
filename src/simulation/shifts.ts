import { businessMinutesBetween, type BusinessCalendar } from '../rules/calendar.js';
import { nextShiftStart, parseShift } from '../rules/offers.js';

const MINUTE = 60_000;
/** Longer than any week: a shift open this long without a break is open around the clock. */
const LONGEST_SPAN_MINUTES = 8 * 1440;

/**
 * The spans [start, end) in which a shift is on, between `from` and `until`, worked out with the
 * gateway's own shift rules (nextShiftStart, and the calendar's minute count for where a span ends),
 * so the simulated desk comes on shift exactly when the real one would. Null: always on.
 */
export function shiftSpans(shift: string | null | undefined, timezone: string, from: number, until: number): [number, number][] | null {
  const hours = parseShift(shift);
  if (hours.kind === 'always') return null;
  const calendar: BusinessCalendar = { timezone, hours, holidays: [] };
  const spans: [number, number][] = [];
  let t = from;
  while (t < until) {
    const start = nextShiftStart(hours, new Date(t), timezone).getTime();
    if (start >= until) break;
    // A span ends at the first closed minute: the largest k whose k minutes from the start are all open.
    const openFor = (k: number) => businessMinutesBetween(calendar, new Date(start), new Date(start + k * MINUTE)) >= k;
    let lo = 1;
    let hi = LONGEST_SPAN_MINUTES;
    if (openFor(hi)) lo = hi;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (openFor(mid)) lo = mid;
      else hi = mid;
    }
    const end = start + lo * MINUTE;
    spans.push([start, end]);
    t = end;
  }
  return spans;
}

/** Milliseconds of the spans inside [from, to). */
export function overlapMs(spans: readonly [number, number][], from: number, to: number): number {
  let total = 0;
  for (const [a, b] of spans) total += Math.max(0, Math.min(b, to) - Math.max(a, from));
  return total;
}

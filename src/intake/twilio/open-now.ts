import { isOpen, type BusinessCalendar } from '../../rules/calendar.js';

const MINUTE = 60_000;

/**
 * "Is the desk open now?" for every incoming call, computed once per minute. Opening windows start
 * and end on whole minutes (HH:MM) and time-zone offsets are whole minutes, so the answer cannot
 * change inside one UTC minute; the calendar's zone arithmetic (luxon over Intl) otherwise costs more
 * than the rest of the request that answers a call.
 */
export function openNowClock(calendar: BusinessCalendar, now: () => Date = () => new Date()): () => boolean {
  let minute = Number.NaN;
  let open = false;
  return () => {
    const at = now();
    const current = Math.floor(at.getTime() / MINUTE);
    if (current !== minute) {
      open = isOpen(calendar, at);
      minute = current;
    }
    return open;
  };
}

import { onShift } from './offers.js';

/**
 * onShift, remembered for the minute. Shifts are written in whole minutes (HH:MM) and time zones
 * are whole minutes off UTC, so the answer cannot change inside a minute; working it out with the
 * zone's rules costs a quarter of a millisecond, once per distinct shift and decision otherwise.
 */
export function createShiftClock(timezone: string): (shift: string | null, at: Date) => boolean {
  let minute = Number.NaN;
  const known = new Map<string, boolean>();
  return (shift, at) => {
    if (!shift) return true;
    const m = Math.floor(at.getTime() / 60_000);
    if (m !== minute) {
      minute = m;
      known.clear();
    }
    let on = known.get(shift);
    if (on === undefined) known.set(shift, (on = onShift(shift, at, timezone)));
    return on;
  };
}

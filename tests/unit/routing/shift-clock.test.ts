import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createShiftClock } from '../../../src/rules/shift-clock.js';

const ZONE = 'Europe/Paris';
const paris = (iso: string): Date => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();

describe('the shift clock', () => {
  it('answers as onShift does, and changes its answer the minute a shift starts or ends', () => {
    const onShift = createShiftClock(ZONE);
    const shift = 'mon-fri 14:00-22:00';
    // Remembered for 13:59, the answer must not outlive that minute.
    expect(onShift(shift, paris('2025-03-17T13:59:00.000'))).toBe(false);
    expect(onShift(shift, paris('2025-03-17T13:59:59.999'))).toBe(false);
    expect(onShift(shift, paris('2025-03-17T14:00:00.000'))).toBe(true);
    expect(onShift(shift, paris('2025-03-17T21:59:59.999'))).toBe(true);
    expect(onShift(shift, paris('2025-03-17T22:00:00.000'))).toBe(false);
  });

  it('keeps each shift text apart within a minute, and takes no shift as always on', () => {
    const onShift = createShiftClock(ZONE);
    const at = paris('2025-03-17T09:30');
    expect(onShift('mon-fri 14:00-22:00', at)).toBe(false);
    expect(onShift('mon-fri 08:00-12:00', at)).toBe(true);
    expect(onShift(null, at)).toBe(true);
    expect(onShift('mon-fri 14:00-22:00', at)).toBe(false);
  });
});

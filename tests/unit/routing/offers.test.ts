import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFER_TIMEOUTS, nextShiftStart, offerDeadlines, onShift, parseShift } from '../../../src/rules/offers.js';

const ZONE = 'Europe/Paris';
const paris = (iso: string): Date => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();

describe('offer deadlines', () => {
  it('time out per priority and remind at half', () => {
    const at = new Date('2025-03-17T09:00:00Z');
    expect(offerDeadlines(at, 'P1')).toEqual({
      remindAt: new Date('2025-03-17T09:02:30Z'),
      expiresAt: new Date('2025-03-17T09:05:00Z'),
    });
    expect(offerDeadlines(at, 'P4').expiresAt).toEqual(new Date('2025-03-17T09:30:00Z'));
    expect(offerDeadlines(at, 'P3', { ...DEFAULT_OFFER_TIMEOUTS, P3: 60 }, 0.75)).toEqual({
      remindAt: new Date('2025-03-17T09:45:00Z'),
      expiresAt: new Date('2025-03-17T10:00:00Z'),
    });
  });
});

describe('shifts', () => {
  it('are always on without a shift', () => {
    expect(onShift(undefined, paris('2025-03-16T03:00'), ZONE)).toBe(true);
    expect(onShift(null, paris('2025-03-16T03:00'), ZONE)).toBe(true);
    expect(onShift('', paris('2025-03-16T03:00'), ZONE)).toBe(true);
  });

  it('read the business-hours text in the desk zone', () => {
    const shift = 'mon-fri 14:00-22:00';
    expect(onShift(shift, paris('2025-03-17T13:59'), ZONE)).toBe(false);
    expect(onShift(shift, paris('2025-03-17T14:00'), ZONE)).toBe(true);
    expect(onShift(shift, paris('2025-03-17T21:59'), ZONE)).toBe(true);
    expect(onShift(shift, paris('2025-03-15T15:00'), ZONE)).toBe(false);
    // 13:30 UTC is 14:30 in Paris in March but 09:30 in New York.
    expect(onShift(shift, new Date('2025-03-17T13:30:00Z'), 'America/New_York')).toBe(false);
    expect(onShift(parseShift('sat-sun 00:00-24:00'), paris('2025-03-15T03:00'), ZONE)).toBe(true);
  });

  it('tell when an off-shift technician comes on', () => {
    expect(nextShiftStart('mon-fri 14:00-22:00', paris('2025-03-14T23:00'), ZONE)).toEqual(paris('2025-03-17T14:00'));
  });

  it('reject a malformed shift', () => {
    expect(() => onShift('lundi 8h-12h', paris('2025-03-17T10:00'), ZONE)).toThrow(/unknown day|cannot read/);
  });
});

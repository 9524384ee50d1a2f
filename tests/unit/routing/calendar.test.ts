import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../../src/config/business-hours.js';
import { addBusinessMinutes, businessMinutesBetween, isOpen, nextOpening, type BusinessCalendar } from '../../../src/rules/calendar.js';

const ZONE = 'Europe/Paris';
/** A Paris wall-clock time as an instant. */
const paris = (iso: string): Date => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const utc = (iso: string): Date => new Date(iso);

const office: BusinessCalendar = { timezone: ZONE, hours: parseBusinessHours('mon-fri 08:00-18:00'), holidays: [] };
const everyDay: BusinessCalendar = { timezone: ZONE, hours: parseBusinessHours('mon-sun 08:00-18:00'), holidays: [] };
const always: BusinessCalendar = { timezone: ZONE, hours: { kind: 'always' }, holidays: ['2025-03-30'] };

describe('isOpen and nextOpening', () => {
  it('knows opening hours, weekends and holidays', () => {
    expect(isOpen(office, paris('2025-03-14T08:00'))).toBe(true);
    expect(isOpen(office, paris('2025-03-14T17:59'))).toBe(true);
    expect(isOpen(office, paris('2025-03-14T18:00'))).toBe(false);
    expect(isOpen(office, paris('2025-03-15T10:00'))).toBe(false);
    const withHoliday = { ...office, holidays: ['2025-04-21'] };
    expect(isOpen(withHoliday, paris('2025-04-21T10:00'))).toBe(false);
    expect(isOpen(always, paris('2025-03-15T03:00'))).toBe(true);
  });

  it('finds the next opening after a weekend and a holiday', () => {
    expect(nextOpening(office, paris('2025-03-14T19:00')).toISOString()).toBe(utc('2025-03-17T07:00Z').toISOString());
    expect(nextOpening(office, paris('2025-03-17T06:30')).toISOString()).toBe('2025-03-17T07:00:00.000Z');
    const at = paris('2025-03-17T10:15');
    expect(nextOpening(office, at)).toEqual(at);
    const withHoliday = { ...office, holidays: ['2025-04-21'] };
    expect(nextOpening(withHoliday, paris('2025-04-18T18:30')).toISOString()).toBe('2025-04-22T06:00:00.000Z');
  });

  it('handles split days and merged overlapping segments', () => {
    const split: BusinessCalendar = {
      timezone: ZONE,
      hours: parseBusinessHours('mon-fri 08:00-12:00,13:30-18:00; mon 11:00-14:00'),
      holidays: [],
    };
    expect(isOpen(split, paris('2025-03-18T12:30'))).toBe(false);
    expect(isOpen(split, paris('2025-03-17T12:30'))).toBe(true);
    // Monday: 08:00-18:00 once merged (600 min), Tuesday: 4 h + 4.5 h.
    expect(businessMinutesBetween(split, paris('2025-03-17T00:00'), paris('2025-03-18T00:00'))).toBe(600);
    expect(businessMinutesBetween(split, paris('2025-03-18T00:00'), paris('2025-03-19T00:00'))).toBe(510);
  });
});

describe('addBusinessMinutes', () => {
  it('carries Friday 17:00 + 2 business hours to Monday 09:00', () => {
    expect(addBusinessMinutes(office, paris('2025-03-14T17:00'), 120).toISOString()).toBe('2025-03-17T08:00:00.000Z');
  });

  it('skips a holiday Monday to Tuesday', () => {
    const withHoliday = { ...office, holidays: ['2025-04-21'] };
    expect(addBusinessMinutes(withHoliday, paris('2025-04-18T17:00'), 120).toISOString()).toBe('2025-04-22T07:00:00.000Z');
  });

  it('starts counting at the next opening when created while closed', () => {
    expect(addBusinessMinutes(office, paris('2025-03-15T11:00'), 30)).toEqual(paris('2025-03-17T08:30'));
  });

  it('is due at closing time when the target ends exactly there', () => {
    expect(addBusinessMinutes(office, paris('2025-03-14T17:00'), 60)).toEqual(paris('2025-03-14T18:00'));
  });

  it('keeps a window 10 hours long across the March DST change', () => {
    // Sunday 30 March 2025, 02:00 → 03:00 in Paris: opening 06:00Z instead of 07:00Z, still 10 hours.
    expect(addBusinessMinutes(everyDay, paris('2025-03-29T17:00'), 120).toISOString()).toBe('2025-03-30T07:00:00.000Z');
    expect(businessMinutesBetween(everyDay, paris('2025-03-30T00:00'), paris('2025-03-31T00:00'))).toBe(600);
    // Friday 17:00 + 2 h over that weekend on a weekday calendar: Monday 09:00 summer time.
    expect(addBusinessMinutes(office, paris('2025-03-28T17:00'), 120).toISOString()).toBe('2025-03-31T07:00:00.000Z');
  });

  it('keeps a window 10 hours long across the October DST change', () => {
    // Sunday 26 October 2025, 03:00 → 02:00: opening 07:00Z instead of 06:00Z.
    expect(addBusinessMinutes(everyDay, paris('2025-10-25T17:00'), 120).toISOString()).toBe('2025-10-26T08:00:00.000Z');
    expect(businessMinutesBetween(everyDay, paris('2025-10-26T00:00'), paris('2025-10-27T00:00'))).toBe(600);
    expect(addBusinessMinutes(everyDay, paris('2025-10-26T08:00'), 600)).toEqual(paris('2025-10-26T18:00'));
  });

  it('counts real minutes with always hours, DST included, and ignores holidays', () => {
    expect(addBusinessMinutes(always, paris('2025-03-30T01:00'), 120).toISOString()).toBe('2025-03-30T02:00:00.000Z');
    expect(addBusinessMinutes(always, paris('2025-03-30T01:00'), 120)).toEqual(paris('2025-03-30T04:00'));
    expect(businessMinutesBetween(always, paris('2025-03-30T00:00'), paris('2025-03-31T00:00'))).toBe(23 * 60);
    expect(businessMinutesBetween(always, paris('2025-10-26T00:00'), paris('2025-10-27T00:00'))).toBe(25 * 60);
  });

  it('walks a long target without stepping minute by minute', () => {
    // 40 business hours are four 10-hour days: Monday 08:00 to Thursday 18:00.
    expect(addBusinessMinutes(office, paris('2025-03-17T08:00'), 40 * 60)).toEqual(paris('2025-03-20T18:00'));
    const started = performance.now();
    const due = addBusinessMinutes(office, paris('2025-01-01T00:00'), 250 * 600);
    expect(performance.now() - started).toBeLessThan(200);
    expect(due.getTime()).toBeGreaterThan(paris('2025-12-01T00:00').getTime());
  });

  it('refuses negative minutes and a calendar that never opens', () => {
    expect(() => addBusinessMinutes(office, paris('2025-03-17T08:00'), -5)).toThrow(RangeError);
    const never: BusinessCalendar = { timezone: ZONE, hours: parseBusinessHours('sat 08:00-09:00'), holidays: [] };
    const allSaturdays = Array.from(
      { length: 120 },
      (_, i) => DateTime.fromISO('2025-03-15', { zone: ZONE }).plus({ weeks: i }).toISODate() ?? '',
    );
    expect(() => addBusinessMinutes({ ...never, holidays: allSaturdays }, paris('2025-03-14T08:00'), 5)).toThrow(/two years/);
  });
});

describe('businessMinutesBetween', () => {
  it('counts a weekend as nothing', () => {
    expect(businessMinutesBetween(office, paris('2025-03-14T17:00'), paris('2025-03-17T09:00'))).toBe(120);
    expect(businessMinutesBetween(office, paris('2025-03-15T09:00'), paris('2025-03-16T20:00'))).toBe(0);
    expect(businessMinutesBetween(office, paris('2025-03-17T09:00'), paris('2025-03-14T09:00'))).toBe(0);
  });

  it('is the inverse of addBusinessMinutes, across weekends, holidays and DST', () => {
    const cal = { ...office, holidays: ['2025-04-21', '2025-11-11'] };
    const starts = ['2025-03-27T16:20', '2025-04-18T07:00', '2025-10-24T12:34', '2025-11-10T17:59', '2025-12-31T23:00'];
    for (const start of starts) {
      for (const minutes of [1, 59, 60, 600, 601, 2400, 7777]) {
        const from = paris(start);
        expect(businessMinutesBetween(cal, from, addBusinessMinutes(cal, from, minutes))).toBe(minutes);
      }
    }
  });
});

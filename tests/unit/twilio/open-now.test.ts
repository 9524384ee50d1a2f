import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../../src/config/business-hours.js';
import { openNowClock } from '../../../src/intake/twilio/open-now.js';

const calendar = { timezone: 'Europe/Paris', hours: parseBusinessHours('mon-fri 08:00-18:00'), holidays: [] };
const paris = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Paris' }).toJSDate();

describe('openNowClock', () => {
  it('follows the business hours to the minute, across closing time', () => {
    let now = paris('2026-03-02T17:59:00'); // a Monday
    const openNow = openNowClock(calendar, () => now);
    expect(openNow()).toBe(true);
    now = paris('2026-03-02T17:59:59.999');
    expect(openNow()).toBe(true);
    now = paris('2026-03-02T18:00:00');
    expect(openNow()).toBe(false);
    now = paris('2026-03-03T07:59:59');
    expect(openNow()).toBe(false);
    now = paris('2026-03-03T08:00:00');
    expect(openNow()).toBe(true);
  });

  it('is closed at the weekend, also on the day clocks change', () => {
    let now = paris('2026-03-29T10:00:00'); // Sunday, summer time starts
    const openNow = openNowClock(calendar, () => now);
    expect(openNow()).toBe(false);
    now = paris('2026-03-30T10:00:00');
    expect(openNow()).toBe(true);
  });
});

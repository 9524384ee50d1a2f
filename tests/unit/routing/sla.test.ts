import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../../src/config/business-hours.js';
import {
  DEFAULT_SLA_TARGETS,
  dueDates,
  dueDateWithPauses,
  elapsedBusinessMinutes,
  resolveByAfterPause,
  slaSchedule,
  slaState,
} from '../../../src/rules/sla.js';
import { type BusinessCalendar } from '../../../src/rules/calendar.js';

const ZONE = 'Europe/Paris';
const paris = (iso: string): Date => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const cal: BusinessCalendar = { timezone: ZONE, hours: parseBusinessHours('mon-fri 08:00-18:00'), holidays: [] };

describe('dueDates', () => {
  it('counts P1 around the clock, even on a Friday night', () => {
    expect(dueDates(paris('2025-03-14T20:00'), 'P1', cal)).toEqual({
      respondBy: paris('2025-03-14T20:15'),
      resolveBy: paris('2025-03-15T00:00'),
    });
  });

  it('counts P2–P4 in business hours', () => {
    expect(dueDates(paris('2025-03-14T19:00'), 'P2', cal)).toEqual({
      respondBy: paris('2025-03-17T09:00'),
      resolveBy: paris('2025-03-17T16:00'),
    });
    expect(dueDates(paris('2025-03-14T17:00'), 'P3', cal)).toEqual({
      respondBy: paris('2025-03-17T11:00'),
      resolveBy: paris('2025-03-19T11:00'),
    });
    expect(dueDates(paris('2025-03-17T08:00'), 'P4', cal)).toEqual({
      respondBy: paris('2025-03-17T16:00'),
      resolveBy: paris('2025-03-20T18:00'),
    });
  });

  it('follows edited targets', () => {
    const targets = { ...DEFAULT_SLA_TARGETS, P3: { responseMinutes: 30, resolutionMinutes: 60, aroundTheClock: true } };
    expect(dueDates(paris('2025-03-15T10:00'), 'P3', cal, targets).respondBy).toEqual(paris('2025-03-15T10:30'));
  });
});

describe('pauses', () => {
  const created = paris('2025-03-17T09:00'); // Monday; P3 resolution due Wednesday 13:00
  const pause = { from: paris('2025-03-17T14:00'), to: paris('2025-03-18T10:00') }; // 6 business hours

  it('stop the clock', () => {
    expect(elapsedBusinessMinutes(cal, created, paris('2025-03-18T12:00'), [pause], false)).toBe(7 * 60);
    expect(elapsedBusinessMinutes(cal, created, paris('2025-03-19T12:00'), [{ from: paris('2025-03-18T10:00') }], false)).toBe(11 * 60);
  });

  it('count overlapping records once', () => {
    const overlapping = [pause, { from: paris('2025-03-17T16:00'), to: paris('2025-03-18T09:00') }];
    expect(elapsedBusinessMinutes(cal, created, paris('2025-03-18T12:00'), overlapping, false)).toBe(7 * 60);
  });

  it('push the due date out by the paused business time', () => {
    const resolveBy = dueDates(created, 'P3', cal).resolveBy;
    expect(resolveBy).toEqual(paris('2025-03-19T13:00'));
    expect(resolveByAfterPause(cal, resolveBy, pause, false)).toEqual(paris('2025-03-20T09:00'));
    expect(dueDateWithPauses(cal, created, 24 * 60, [pause], false)).toEqual(paris('2025-03-20T09:00'));
  });

  it('leave a due date alone when they begin after it', () => {
    const due = paris('2025-03-17T13:00');
    expect(resolveByAfterPause(cal, due, { from: paris('2025-03-17T14:00'), to: paris('2025-03-18T10:00') }, false)).toEqual(due);
  });

  it('leave no deadline while still open', () => {
    expect(dueDateWithPauses(cal, created, 24 * 60, [{ from: paris('2025-03-18T10:00'), to: null }], false)).toBeNull();
  });

  it('shift a P1 by real time', () => {
    const p1 = paris('2025-03-15T10:00');
    const p1Pause = { from: paris('2025-03-15T10:30'), to: paris('2025-03-15T11:30') };
    expect(resolveByAfterPause(cal, dueDates(p1, 'P1', cal).resolveBy, p1Pause, true)).toEqual(paris('2025-03-15T15:00'));
  });

  it('feed the timer schedule', () => {
    expect(slaSchedule(created, 'P3', cal)).toEqual({
      respondBy: paris('2025-03-17T13:00'),
      resolveBy: paris('2025-03-19T13:00'),
      responseWarningAt: paris('2025-03-17T12:00'),
      resolutionWarningAt: paris('2025-03-18T17:00'),
    });
    expect(slaSchedule(created, 'P3', cal, [pause]).resolveBy).toEqual(paris('2025-03-20T09:00'));
  });
});

describe('slaState', () => {
  const created = paris('2025-03-17T09:00');
  const base = { cal, createdAt: created, priority: 'P3' as const };

  it('warns at 75% of the response target, not before', () => {
    expect(slaState({ ...base, now: paris('2025-03-17T11:59') })).toMatchObject({ warning: false, breached: false });
    const at75 = slaState({ ...base, now: paris('2025-03-17T12:00') });
    expect(at75).toMatchObject({ responseElapsedRatio: 0.75, warning: true, breached: false });
    expect(at75.resolutionElapsedRatio).toBeCloseTo(180 / 1440, 10);
  });

  it('breaches when the deadline arrives unanswered', () => {
    expect(slaState({ ...base, now: paris('2025-03-17T13:00') })).toMatchObject({
      responseBreached: true,
      resolutionBreached: false,
      breached: true,
    });
  });

  it('stops the response clock at the answer', () => {
    const state = slaState({ ...base, now: paris('2025-03-18T09:00'), respondedAt: paris('2025-03-17T12:30') });
    expect(state).toMatchObject({ responseElapsedRatio: 0.875, warning: false, breached: false });
    expect(state.resolutionElapsedMinutes).toBe(600);
    expect(slaState({ ...base, now: paris('2025-03-18T09:00'), respondedAt: paris('2025-03-17T13:00') }).breached).toBe(false);
    expect(slaState({ ...base, now: paris('2025-03-18T09:00'), respondedAt: paris('2025-03-17T13:01') }).responseBreached).toBe(true);
  });

  it('breaches the resolution target on time', () => {
    const state = slaState({ ...base, now: paris('2025-03-19T13:00'), respondedAt: paris('2025-03-17T10:00') });
    expect(state).toMatchObject({ resolutionElapsedRatio: 1, resolutionBreached: true, responseBreached: false, breached: true });
  });

  it('does not count pending time', () => {
    const pauses = [{ from: paris('2025-03-17T10:00'), to: paris('2025-03-17T11:00') }];
    expect(slaState({ ...base, now: paris('2025-03-17T13:00'), pauses })).toMatchObject({
      responseElapsedMinutes: 180,
      warning: true,
      breached: false,
    });
  });

  it('stops both clocks at resolution', () => {
    const state = slaState({ ...base, now: paris('2025-03-25T09:00'), resolvedAt: paris('2025-03-17T11:00') });
    expect(state).toMatchObject({ responseElapsedMinutes: 120, resolutionElapsedMinutes: 120, warning: false, breached: false });
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../../src/config/business-hours.js';
import type { BusinessCalendar } from '../../../src/rules/calendar.js';
import { DEFAULT_OFFER_RULES } from '../../../src/rules/rules-schemas.js';
import { DEFAULT_SLA_TARGETS, slaSchedule, dueDates } from '../../../src/rules/sla.js';
import { offerTimers, reminderTimes, shiftTimer, slaTimers, warningAt, type SlaInputTicket } from '../../../src/rules/timer-plan.js';

const ZONE = 'Europe/Paris';
const paris = (iso: string): Date => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const cal: BusinessCalendar = { timezone: ZONE, hours: parseBusinessHours('mon-fri 08:00-18:00'), holidays: ['2025-04-21'] };
const none = { warned: new Set<string>(), breached: new Set<'response' | 'resolution'>() };

describe('offer timers', () => {
  const offeredAt = new Date('2025-03-17T09:00:00Z');

  it('expire at the priority timeout with one reminder at half; ids name the offer and the instant', () => {
    const jobs = offerTimers({ ticketId: 't1', priority: 'P3', offeredAt, remindersSent: 0 }, DEFAULT_OFFER_RULES);
    expect(jobs.map((j) => [j.data.kind, j.at.toISOString()])).toEqual([
      ['offer-expiry', '2025-03-17T09:20:00.000Z'],
      ['offer-reminder', '2025-03-17T09:10:00.000Z'],
    ]);
    expect(jobs[0]?.id).toBe(`offer-expiry:t1:${offeredAt.getTime()}:${Date.parse('2025-03-17T09:20:00Z')}`);
    // Same offer, same ids: scheduling twice adds nothing.
    expect(offerTimers({ ticketId: 't1', priority: 'P3', offeredAt, remindersSent: 0 }, DEFAULT_OFFER_RULES).map((j) => j.id)).toEqual(
      jobs.map((j) => j.id),
    );
    // The reminder sent, only the expiry is left.
    expect(
      offerTimers({ ticketId: 't1', priority: 'P3', offeredAt, remindersSent: 1 }, DEFAULT_OFFER_RULES).map((j) => j.data.kind),
    ).toEqual(['offer-expiry']);
  });

  it('repeat the reminder every minute for P1 until the offer times out', () => {
    const times = reminderTimes(offeredAt, 'P1', DEFAULT_OFFER_RULES).map((d) => d.toISOString().slice(11, 19));
    expect(times).toEqual(['09:02:30', '09:03:30', '09:04:30']);
    expect(reminderTimes(offeredAt, 'P2', DEFAULT_OFFER_RULES)).toHaveLength(1);
    const third = offerTimers({ ticketId: 't1', priority: 'P1', offeredAt, remindersSent: 2 }, DEFAULT_OFFER_RULES);
    expect(third.find((j) => j.data.kind === 'offer-reminder')?.at.toISOString()).toBe('2025-03-17T09:04:30.000Z');
  });
});

describe('SLA timers', () => {
  const createdAt = paris('2025-03-14T16:00'); // a Friday afternoon
  const ticket = (over: Partial<SlaInputTicket> = {}): SlaInputTicket => {
    const due = dueDates(createdAt, 'P3', cal);
    return {
      id: 't2',
      status: 'assigned',
      priority: 'P3',
      createdAt,
      respondBy: due.respondBy,
      resolveBy: due.resolveBy,
      respondedAt: null,
      pausedAt: null,
      ...over,
    };
  };

  it('warn where slaSchedule puts 75% and breach at the due dates, on business time', () => {
    const schedule = slaSchedule(createdAt, 'P3', cal);
    const jobs = slaTimers(ticket(), cal, DEFAULT_SLA_TARGETS, none);
    const at = (kind: string, clock: string) =>
      jobs.find((j) => j.data.kind === kind && 'clock' in j.data && j.data.clock === clock)?.at.getTime();
    expect(at('sla-breach', 'response')).toBe(schedule.respondBy?.getTime());
    expect(at('sla-warning', 'response')).toBe(schedule.responseWarningAt?.getTime());
    expect(at('sla-breach', 'resolution')).toBe(schedule.resolveBy?.getTime());
    expect(at('sla-warning', 'resolution')).toBe(schedule.resolutionWarningAt?.getTime());
    // 4 business hours from Friday 16:00 end Monday 10:00; the warning (3 h) falls Monday 09:00.
    expect(new Date(at('sla-warning', 'response')!)).toEqual(paris('2025-03-17T09:00'));
  });

  it('follow a due date pushed out by a pause, and stop while the ticket waits', () => {
    const pushed = new Date(ticket().respondBy!.getTime() + 2 * 3600_000);
    const jobs = slaTimers(ticket({ respondBy: pushed }), cal, DEFAULT_SLA_TARGETS, none);
    const warning = jobs.find((j) => j.data.kind === 'sla-warning' && j.data.clock === 'response');
    expect(warning?.at).toEqual(warningAt(cal, createdAt, pushed, 240, false));
    expect(warning!.at.getTime()).toBeGreaterThan(paris('2025-03-17T09:00').getTime());
    expect(slaTimers(ticket({ status: 'pending', pausedAt: createdAt }), cal, DEFAULT_SLA_TARGETS, none)).toEqual([]);
    expect(slaTimers(ticket({ status: 'resolved' }), cal, DEFAULT_SLA_TARGETS, none)).toEqual([]);
  });

  it('drop the response clock once answered, and what already happened', () => {
    const answered = slaTimers(ticket({ respondedAt: createdAt }), cal, DEFAULT_SLA_TARGETS, none);
    expect(answered.every((j) => 'clock' in j.data && j.data.clock === 'resolution')).toBe(true);
    const history = { warned: new Set(['response:P3']), breached: new Set<'response' | 'resolution'>(['resolution']) };
    expect(
      slaTimers(ticket(), cal, DEFAULT_SLA_TARGETS, history).map((j) => `${j.data.kind}:${'clock' in j.data ? j.data.clock : ''}`),
    ).toEqual(['sla-breach:response']);
  });
});

describe('shift timers', () => {
  it('wait for the next shift start of an available, off-shift technician only', () => {
    const saturday = paris('2025-03-15T12:00');
    const timer = shiftTimer({ id: 'x', shift: 'mon-fri 09:00-17:00', available: true }, saturday, ZONE);
    expect(timer?.at).toEqual(paris('2025-03-17T09:00'));
    expect(timer?.id).toBe(`shift-start:x:${paris('2025-03-17T09:00').getTime()}`);
    expect(shiftTimer({ id: 'x', shift: 'mon-fri 09:00-17:00', available: true }, paris('2025-03-17T10:00'), ZONE)).toBeNull();
    expect(shiftTimer({ id: 'x', shift: 'mon-fri 09:00-17:00', available: false }, saturday, ZONE)).toBeNull();
    expect(shiftTimer({ id: 'x', shift: null, available: true }, saturday, ZONE)).toBeNull();
  });
});

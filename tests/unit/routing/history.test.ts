import { describe, expect, it } from 'vitest';
import { readHistory } from '../../../src/rules/history.js';
import { RULES } from '../../../src/rules/rules-schemas.js';

const e = (type: string, data: Record<string, unknown> = {}) => ({ type, data });

describe('routing history', () => {
  it('excludes who declined or let the offer time out, until the ticket is escalated', () => {
    const before = readHistory([
      e('assigned', { technicianId: 'a' }),
      e('declined', { technicianId: 'a' }),
      e('assigned', { technicianId: 'b' }),
      e('offer_expired', { technicianId: 'b' }),
    ]);
    expect([...before.excluded]).toEqual(['a', 'b']);
    expect(before.lastRouting).toBe('offer_expired');
    const after = readHistory([e('declined', { technicianId: 'a' }), e('escalated'), e('declined', { technicianId: 'c' })]);
    expect([...after.excluded]).toEqual(['c']);
  });

  it('knows a ticket already waits, whatever notes came after', () => {
    expect(readHistory([e('queued'), e('sla_warning', { clock: 'response', priority: 'P3' })]).lastRouting).toBe('queued');
    expect(readHistory([e('queued'), e('assigned'), e('declined')]).lastRouting).toBe('declined');
  });

  it('counts reminders per offer and remembers SLA warnings and breaches', () => {
    const h = readHistory([
      e('offer_reminder', { offeredAt: 1, n: 0 }),
      e('offer_reminder', { offeredAt: 1, n: 1 }),
      e('offer_reminder', { offeredAt: 2, n: 0 }),
      e('sla_warning', { clock: 'response', priority: 'P2' }),
      e('sla_breached', { clock: 'response', priority: 'P2' }),
    ]);
    expect([h.remindersSent(1), h.remindersSent(2), h.remindersSent(3)]).toEqual([2, 1, 0]);
    expect([h.reminded(1, 1), h.reminded(2, 1)]).toEqual([true, false]);
    expect([...h.sla.warned]).toEqual(['response:P2']);
    expect([...h.sla.breached]).toEqual(['response']);
  });
});

describe('rule schemas', () => {
  it('accept their own defaults', () => {
    for (const rule of Object.values(RULES)) expect(rule.schema.safeParse(rule.default).success).toBe(true);
  });

  it('refuse what would derail routing', () => {
    expect(RULES['offer-timeouts'].schema.safeParse({ ...RULES['offer-timeouts'].default, reminderRatio: 1 }).success).toBe(false);
    expect(
      RULES['sla-targets'].schema.safeParse({
        ...RULES['sla-targets'].default,
        P1: { responseMinutes: 0, resolutionMinutes: 1, aroundTheClock: true },
      }).success,
    ).toBe(false);
    expect(RULES.calendar.schema.safeParse({ holidays: ['25/12/2025'] }).success).toBe(false);
    expect(RULES['priority-matrix'].schema.safeParse({ high: { high: 'P1' } }).success).toBe(false);
  });
});

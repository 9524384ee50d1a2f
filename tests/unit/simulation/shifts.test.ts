import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { onShift } from '../../../src/rules/offers.js';
import { parseScenario } from '../../../src/simulation/scenario.js';
import { overlapMs, shiftSpans } from '../../../src/simulation/shifts.js';

describe('shift spans', () => {
  it('say on shift exactly when the gateway’s onShift does, across a DST change', () => {
    const zone = 'Europe/Paris';
    const shift = 'mon-fri 07:00-15:00; sat 10:00-12:00; sun 22:00-24:00';
    const from = DateTime.fromISO('2024-03-25T00:00', { zone }).toMillis();
    const until = DateTime.fromISO('2024-04-08T00:00', { zone }).toMillis();
    const spans = shiftSpans(shift, zone, from, until) ?? [];
    expect(spans.length).toBe(2 * 7);
    const inside = (t: number) => spans.some(([a, b]) => a <= t && t < b);
    for (const [a, b] of spans) {
      for (const t of [a, b - 1]) expect(onShift(shift, new Date(t), zone), new Date(t).toISOString()).toBe(true);
      for (const t of [a - 1, b]) expect(onShift(shift, new Date(t), zone), new Date(t).toISOString()).toBe(false);
    }
    for (let t = from; t < until; t += 37 * 60_000) expect(inside(t)).toBe(onShift(shift, new Date(t), zone));
    // 31 March: the clocks go forward, the 07:00-15:00 of Monday 1 April still lasts 8 real hours.
    expect(overlapMs(spans, from, until)).toBe((10 * 8 + 2 * 2 + 2 * 2) * 3_600_000);
  });

  it('are null for a technician without a shift: always on', () => {
    expect(shiftSpans(null, 'UTC', 0, 86_400_000)).toBeNull();
    expect(shiftSpans('always', 'UTC', 0, 86_400_000)).toBeNull();
  });
});

describe('the README’s example scenario', () => {
  it('is the fixture, whole, and a valid scenario', () => {
    const text = readFileSync('tests/fixtures/simulation/readme-example.json', 'utf8').trim();
    expect(readFileSync('README.md', 'utf8')).toContain(text);
    expect(parseScenario(JSON.parse(text)).technicians).toHaveLength(3);
  });
});

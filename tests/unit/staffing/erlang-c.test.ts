import { describe, expect, it } from 'vitest';
import { agentsFor, erlangB, erlangC, parseTarget, waitProbability } from '../../../src/staffing/erlang-c.js';

// The textbook example: 100 calls per 30 minutes, 180 s handling, 14 agents, target 80/20.
const REFERENCE = { arrivalsPerHour: 200, ahtSeconds: 180 };

describe('Erlang C', () => {
  it('gives the published reference values', () => {
    const r = erlangC(REFERENCE, 14, 20);
    expect(r.erlangs).toBe(10);
    expect(r.waitProbability).toBeCloseTo(0.1741, 4);
    expect(r.serviceLevel).toBeCloseTo(0.8884, 4);
    expect(r.meanWaitSeconds).toBeCloseTo(7.84, 2);
    expect(r.occupancy).toBeCloseTo(10 / 14, 10);
  });

  it('sizes the reference load at 14 technicians for 80/20 (13 fall short)', () => {
    expect(agentsFor(REFERENCE, { share: 0.8, seconds: 20 }).agents).toBe(14);
    expect(erlangC(REFERENCE, 13, 20).serviceLevel).toBeLessThan(0.8);
  });

  it('answers 5,000 erlangs, finite and fast, where factorials would overflow', () => {
    const started = performance.now();
    const r = agentsFor({ arrivalsPerHour: 100_000, ahtSeconds: 180 }, { share: 0.8, seconds: 20 });
    const ms = performance.now() - started;
    expect(r.erlangs).toBe(5000);
    expect(r.agents).toBeGreaterThan(5000);
    expect(r.agents).toBeLessThan(5100);
    expect(r.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(erlangC({ arrivalsPerHour: 100_000, ahtSeconds: 180 }, r.agents - 1, 20).serviceLevel).toBeLessThan(0.8);
    for (const v of [r.waitProbability, r.meanWaitSeconds, r.occupancy]) expect(Number.isFinite(v)).toBe(true);
    expect(ms).toBeLessThan(200);
  });

  it('keeps Erlang B a probability at every size and says a queue that cannot keep up always waits', () => {
    expect(erlangB(5000, 5000)).toBeGreaterThan(0);
    expect(erlangB(5000, 5000)).toBeLessThan(1);
    expect(waitProbability(10, 10)).toBe(1);
    const over = erlangC(REFERENCE, 9, 20);
    expect(over.meanWaitSeconds).toBe(Infinity);
    expect(over.serviceLevel).toBe(0);
  });

  it('reads targets like 80/20 and refuses other shapes', () => {
    expect(parseTarget('80/20')).toEqual({ share: 0.8, seconds: 20 });
    expect(parseTarget(' 90 / 30 ')).toEqual({ share: 0.9, seconds: 30 });
    for (const bad of ['80', '100/20', '0/20', 'x/20', '80/-1', '']) expect(parseTarget(bad)).toBeNull();
    expect(() => agentsFor(REFERENCE, { share: 1, seconds: 20 })).toThrow(RangeError);
  });
});

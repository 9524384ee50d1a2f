import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario, type Scenario } from '../../../src/simulation/scenario.js';
import { simulate, type TicketOutcome } from '../../../src/simulation/simulate.js';
import { erlangC } from '../../../src/staffing/erlang-c.js';

/**
 * The single-skill desk is M/M/c: one Poisson stream, exponential handling, `agents` technicians of
 * maxLoad 1, offers taken at once. The simulator must agree with Erlang C and with an independent
 * discrete-event library (SimJS, run once, its intervals kept as a fixture).
 */
const HOUR = 3_600_000;
const WARMUP = 2 * HOUR;
const BATCHES = 20;
const DAYS = 12;

function mmc(arrivalsPerHour: number, ahtSeconds: number, agents: number, seed: number): Scenario {
  return parseScenario({
    days: DAYS,
    seed,
    arrivals: [{ channel: 'voice', category: 'network', priority: 'P3', perHour: arrivalsPerHour, handlingSeconds: ahtSeconds }],
    technicians: [{ name: 'tech', tier: 1, skills: ['network'], maxLoad: 1, count: agents }],
  });
}

interface Estimate {
  mean: number;
  /** Standard error by batch means: waits are correlated, tickets are not independent draws. */
  se: number;
}

function estimate(outcomes: readonly TicketOutcome[], value: (o: TicketOutcome) => number): Estimate {
  const kept = outcomes.filter((o) => o.arrivedAt >= WARMUP && o.waitSeconds !== null);
  const span = (DAYS * 24 * HOUR - WARMUP) / BATCHES;
  const sums = new Array<number>(BATCHES).fill(0);
  const counts = new Array<number>(BATCHES).fill(0);
  for (const o of kept) {
    const b = Math.min(BATCHES - 1, Math.floor((o.arrivedAt - WARMUP) / span));
    sums[b] = (sums[b] ?? 0) + value(o);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  const means = sums.map((s, i) => s / (counts[i] || 1));
  const mean = kept.reduce((a, o) => a + value(o), 0) / kept.length;
  const variance = means.reduce((a, m) => a + (m - mean) ** 2, 0) / (BATCHES - 1);
  return { mean, se: Math.sqrt(variance / BATCHES) };
}

const waited = (o: TicketOutcome) => ((o.waitSeconds ?? 0) > 0 ? 1 : 0);
const wait = (o: TicketOutcome) => o.waitSeconds ?? 0;

const LOADS = [
  { arrivalsPerHour: 200, ahtSeconds: 180, agents: 14, seed: 11 },
  { arrivalsPerHour: 240, ahtSeconds: 180, agents: 14, seed: 12 },
];

const runs = LOADS.map((load) => ({
  load,
  outcomes: simulate(mmc(load.arrivalsPerHour, load.ahtSeconds, load.agents, load.seed), { policy: 'engine' }).outcomes,
}));

describe('the simulator on a single-skill desk (M/M/c)', () => {
  it.each(runs)('agrees with Erlang C within 5% or 3.5 standard errors at $load.arrivalsPerHour/h', ({ load, outcomes }) => {
    const theory = erlangC(load, load.agents, 20);
    for (const [name, est, expected] of [
      ['wait probability', estimate(outcomes, waited), theory.waitProbability],
      ['mean wait', estimate(outcomes, wait), theory.meanWaitSeconds],
    ] as const) {
      const tolerance = Math.max(0.05 * expected, 3.5 * est.se);
      expect(
        Math.abs(est.mean - expected),
        `${name}: simulated ${est.mean.toFixed(4)} ± ${est.se.toFixed(4)}, Erlang C ${expected.toFixed(4)}`,
      ).toBeLessThanOrEqual(tolerance);
    }
  });

  it('agrees with SimJS’s replications (computed once, kept as a fixture with their 95% intervals)', () => {
    const fixture = JSON.parse(readFileSync('tests/fixtures/simulation/simjs-mmc.json', 'utf8')) as {
      loads: { arrivalsPerHour: number; agents: number; waitProbability: Interval; meanWaitSeconds: Interval }[];
    };
    interface Interval {
      mean: number;
      low: number;
      high: number;
    }
    for (const { load, outcomes } of runs) {
      const library = fixture.loads.find((l) => l.arrivalsPerHour === load.arrivalsPerHour && l.agents === load.agents);
      expect(library).toBeDefined();
      if (!library) continue;
      for (const [est, ref] of [
        [estimate(outcomes, waited), library.waitProbability],
        [estimate(outcomes, wait), library.meanWaitSeconds],
      ] as const) {
        // Two estimates of one quantity: their difference within 3.5 of its standard error.
        const libSe = (ref.high - ref.low) / 2 / 2.045;
        expect(Math.abs(est.mean - ref.mean)).toBeLessThanOrEqual(3.5 * Math.hypot(est.se, libSe));
        // And the library's interval holds Erlang C: the fixture itself is sound.
      }
      const theory = erlangC(load, load.agents, 20);
      expect(theory.waitProbability).toBeGreaterThan(library.waitProbability.low);
      expect(theory.waitProbability).toBeLessThan(library.waitProbability.high);
    }
  });
});

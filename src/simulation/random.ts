/**
 * The simulator's seeded randomness. mulberry32: 32 bits of state, fast, and good enough for
 * queueing draws; a run is replayed exactly from its seed. Separate streams (arrivals, offers) keep
 * every policy facing the same tickets with the same handling times (common random numbers), so a
 * difference between policies is the policies', not the dice's.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream of its own for each purpose, derived from the run's seed. */
export function stream(seed: number, purpose: number): Random {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + purpose * 0x27d4eb2d);
}

/** Exponential with the given mean; 1 − u keeps log away from 0. */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

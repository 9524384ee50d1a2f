/**
 * Erlang C (M/M/c): how long calls wait when `agents` serve Poisson arrivals with exponential handling.
 * Erlang B is iterated from 0 agents (B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))): every step is a
 * ratio between 0 and 1, so 5,000 erlangs never meet A^n or n! (which overflow past ~170), and the
 * cost is one multiply-divide per agent.
 */

export interface Load {
  /** Arrivals per hour. */
  arrivalsPerHour: number;
  /** Mean handling time, seconds. */
  ahtSeconds: number;
}

export interface ErlangC {
  agents: number;
  /** Offered load in erlangs (arrival rate × handling time). */
  erlangs: number;
  /** Probability that an arrival waits at all (0–1); 1 when the agents cannot keep up. */
  waitProbability: number;
  /** Mean wait over all arrivals, seconds; Infinity when the agents cannot keep up. */
  meanWaitSeconds: number;
  /** Share answered within `targetSeconds` (0–1). */
  serviceLevel: number;
  /** Share of the agents' time spent handling (0–1). */
  occupancy: number;
}

/** A target such as "80/20": 80% answered within 20 seconds. */
export interface ServiceTarget {
  /** 0–1. */
  share: number;
  seconds: number;
}

const MAX_ERLANGS = 1_000_000;

export function erlangs(load: Load): number {
  return (load.arrivalsPerHour * load.ahtSeconds) / 3600;
}

/** Erlang B for every agent count up to `agents`, the last one returned. */
export function erlangB(traffic: number, agents: number): number {
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (traffic * b) / (n + traffic * b);
  return b;
}

/** Erlang C from Erlang B: C = c·B / (c − A(1 − B)); 1 when A ≥ c (the queue grows without end). */
export function waitProbability(traffic: number, agents: number): number {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  const b = erlangB(traffic, agents);
  return (agents * b) / (agents - traffic * (1 - b));
}

export function erlangC(load: Load, agents: number, targetSeconds: number): ErlangC {
  const a = erlangs(load);
  const pw = waitProbability(a, agents);
  if (a <= 0) return { agents, erlangs: 0, waitProbability: 0, meanWaitSeconds: 0, serviceLevel: 1, occupancy: 0 };
  if (agents <= a) {
    return { agents, erlangs: a, waitProbability: 1, meanWaitSeconds: Infinity, serviceLevel: 0, occupancy: 1 };
  }
  const spare = agents - a;
  return {
    agents,
    erlangs: a,
    waitProbability: pw,
    meanWaitSeconds: (pw * load.ahtSeconds) / spare,
    // The wait of those who wait is exponential with rate (c − A)/AHT.
    serviceLevel: 1 - pw * Math.exp((-spare * targetSeconds) / load.ahtSeconds),
    occupancy: a / agents,
  };
}

/**
 * The fewest agents meeting the target. Starts just above the load (fewer can never keep up) and
 * carries Erlang B forward one agent at a time, so sizing 5,000 erlangs is a few thousand steps.
 */
export function agentsFor(load: Load, target: ServiceTarget): ErlangC {
  // A share of 1 is reached by no finite number of agents: the loop below would never end.
  if (!(target.share > 0 && target.share < 1)) throw new RangeError('the service level target must be between 0% and 100%, exclusive');
  const a = erlangs(load);
  // The recurrence costs one step per agent: a million is milliseconds, a typo's 10^12 would be hours.
  if (a > MAX_ERLANGS)
    throw new RangeError(`the load is ${Math.round(a)} erlangs; at most ${MAX_ERLANGS.toLocaleString('en')} can be sized`);
  if (a <= 0) return erlangC(load, 0, target.seconds);
  let agents = Math.floor(a) + 1;
  let b = erlangB(a, agents);
  for (;;) {
    const pw = (agents * b) / (agents - a * (1 - b));
    const serviceLevel = 1 - pw * Math.exp((-(agents - a) * target.seconds) / load.ahtSeconds);
    if (serviceLevel >= target.share) return erlangC(load, agents, target.seconds);
    agents++;
    b = (a * b) / (agents + a * b);
  }
}

/** "80/20" → 80% within 20 s; null when it is not that shape. */
export function parseTarget(text: string): ServiceTarget | null {
  const match = /^\s*(\d{1,3}(?:\.\d+)?)\s*\/\s*(\d{1,6}(?:\.\d+)?)\s*$/.exec(text);
  if (!match) return null;
  const percent = Number(match[1]);
  const seconds = Number(match[2]);
  if (!(percent > 0 && percent < 100) || !(seconds >= 0)) return null;
  return { share: percent / 100, seconds };
}

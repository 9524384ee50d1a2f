import type { Priority, Tier } from '../domain/values.js';

/** What the ranking needs to know of the ticket being offered. */
export interface TicketForAssignment {
  priority: Priority;
  tier: Tier;
  requiredSkills: readonly string[];
}

export type OpenLoad = Record<Priority, number>;

/** A technician as seen at the moment of the decision (loaded under lock by the caller). */
export interface TechnicianSnapshot<Id extends string | number = string> {
  id: Id;
  tier: Tier;
  skills: readonly string[];
  maxLoad: number;
  available: boolean;
  onShift: boolean;
  openLoad: OpenLoad;
  lastAssignedAt: Date | null;
  /** Already declined this ticket or let its offer time out. */
  declined?: boolean | undefined;
}

/** Weights of open tickets by priority: a P1 in hand keeps someone busier than a P4. */
export type LoadWeights = Record<Priority, number>;

export const DEFAULT_LOAD_WEIGHTS: LoadWeights = { P1: 8, P2: 4, P3: 2, P4: 1 };

export interface CandidateScore {
  /** 1 / (1 + skills the ticket does not use): 1 is a specialist, generalists stay free for the rest. */
  skillFit: number;
  weightedLoad: number;
  /**
   * The last assignment, null when never assigned (idle longest). A Date, not a string: formatting a
   * thousand of them was most of a decision's time; JSON turns it into ISO text when stored.
   */
  idleSince: Date | null;
}

export interface Candidate<Id extends string | number = string> {
  id: Id;
  eligible: boolean;
  /** Why excluded, or how it scored, in a few words each. */
  reasons: string[];
  score: CandidateScore;
}

/** Which criterion separated the chosen technician from the runner-up. */
export type DecidedBy = 'only candidate' | 'skill fit' | 'weighted load' | 'idle longest' | 'tie';

export interface AssignmentDecision<Id extends string | number = string> {
  chosen: Id | null;
  decidedBy: DecidedBy | null;
  candidates: Candidate<Id>[];
}

interface Ranked {
  skillFit: number;
  weightedLoad: number;
  /** Epoch ms; -Infinity for never assigned so that it sorts first. */
  idle: number;
}

/** < 0 when `a` should be offered before `b`; also tells which criterion decided. */
function compare(a: Ranked, b: Ranked): { order: number; by: DecidedBy } {
  if (a.skillFit !== b.skillFit) return { order: b.skillFit - a.skillFit, by: 'skill fit' };
  if (a.weightedLoad !== b.weightedLoad) return { order: a.weightedLoad - b.weightedLoad, by: 'weighted load' };
  if (a.idle !== b.idle) return { order: a.idle < b.idle ? -1 : 1, by: 'idle longest' };
  return { order: 0, by: 'tie' };
}

/**
 * One pass over the technicians: eligibility by the contract's rules, then skill fit, weighted load
 * and idle time. Ties keep the input order, so the caller's order (by id, say) makes it deterministic.
 */
export function rankCandidates<Id extends string | number>(
  ticket: TicketForAssignment,
  technicians: readonly TechnicianSnapshot<Id>[],
  weights: LoadWeights = DEFAULT_LOAD_WEIGHTS,
): AssignmentDecision<Id> {
  const required = new Set(ticket.requiredSkills.map((s) => s.trim().toLowerCase()));
  const candidates = new Array<Candidate<Id>>(technicians.length);
  let best: { index: number; rank: Ranked } | null = null;
  let runnerUp: Ranked | null = null;

  for (let i = 0; i < technicians.length; i++) {
    const t = technicians[i] as TechnicianSnapshot<Id>;
    const load = t.openLoad;
    const open = load.P1 + load.P2 + load.P3 + load.P4;
    const weightedLoad = load.P1 * weights.P1 + load.P2 * weights.P2 + load.P3 * weights.P3 + load.P4 * weights.P4;
    let matched = 0;
    let missing: string[] | null = null;
    for (const skill of required) {
      if (holds(t.skills, skill)) matched++;
      else (missing ??= []).push(skill);
    }
    const unrelated = Math.max(0, t.skills.length - matched);
    const skillFit = 1 / (1 + unrelated);
    const idleSince = t.lastAssignedAt;

    const excluded: string[] = [];
    if (t.tier !== ticket.tier) excluded.push(`tier ${t.tier}, ticket is tier ${ticket.tier}`);
    if (missing) excluded.push(`lacks ${missing.join(', ')}`);
    if (!t.available) excluded.push('unavailable');
    if (!t.onShift) excluded.push('off shift');
    if (open >= t.maxLoad) excluded.push(`at max load ${open}/${t.maxLoad}`);
    if (t.declined) excluded.push('declined this ticket');

    const eligible = excluded.length === 0;
    const reasons = eligible
      ? [
          unrelated === 0 ? 'exact skills' : `${unrelated} other skill${unrelated > 1 ? 's' : ''}`,
          `load ${weightedLoad} (${open}/${t.maxLoad} open)`,
          idleSince ? `last assigned ${idleSince.toISOString()}` : 'never assigned',
        ]
      : excluded;
    candidates[i] = { id: t.id, eligible, reasons, score: { skillFit, weightedLoad, idleSince } };

    if (!eligible) continue;
    const rank: Ranked = { skillFit, weightedLoad, idle: idleSince ? idleSince.getTime() : -Infinity };
    if (best === null) {
      best = { index: i, rank };
    } else if (compare(rank, best.rank).order < 0) {
      runnerUp = best.rank;
      best = { index: i, rank };
    } else if (runnerUp === null || compare(rank, runnerUp).order < 0) {
      runnerUp = rank;
    }
  }

  if (best === null) return { chosen: null, decidedBy: null, candidates };
  const decidedBy: DecidedBy = runnerUp === null ? 'only candidate' : compare(best.rank, runnerUp).by;
  const chosen = candidates[best.index] as Candidate<Id>;
  chosen.reasons.unshift(decidedBy === 'only candidate' ? 'chosen: only candidate' : `chosen: ${decidedBy}`);
  return { chosen: chosen.id, decidedBy, candidates };
}

/** Skills are few per technician: a scan beats building a Set per technician per decision. */
function holds(skills: readonly string[], skill: string): boolean {
  if (skills.includes(skill)) return true;
  for (const held of skills) if (held.trim().toLowerCase() === skill) return true;
  return false;
}

export interface DecisionSummary<Id extends string | number = string> {
  chosen: Id | null;
  decidedBy: DecidedBy | null;
  /** The best eligible candidates, best first. */
  top: Candidate<Id>[];
  eligible: number;
  /** How many were excluded for each reason kind, e.g. `{ "off shift": 12 }`. */
  excluded: Record<string, number>;
}

/**
 * What goes into the ticket's event: with a thousand technicians the full list is noise, so the few
 * best and a count of exclusions per reason. Selection is a bounded insertion, not a full sort.
 */
export function summarizeDecision<Id extends string | number>(decision: AssignmentDecision<Id>, keep = 5): DecisionSummary<Id> {
  const top: { candidate: Candidate<Id>; rank: Ranked }[] = [];
  const excluded: Record<string, number> = {};
  let eligible = 0;
  for (const candidate of decision.candidates) {
    if (!candidate.eligible) {
      for (const reason of candidate.reasons) {
        const kind = reason.replace(/ \d.*$/, '').replace(/^lacks .*/, 'lacks skills');
        excluded[kind] = (excluded[kind] ?? 0) + 1;
      }
      continue;
    }
    eligible++;
    if (keep <= 0) continue;
    const s = candidate.score;
    const rank: Ranked = { skillFit: s.skillFit, weightedLoad: s.weightedLoad, idle: s.idleSince ? s.idleSince.getTime() : -Infinity };
    let at = top.length;
    while (at > 0 && compare(rank, (top[at - 1] as { rank: Ranked }).rank).order < 0) at--;
    if (at < keep) {
      top.splice(at, 0, { candidate, rank });
      if (top.length > keep) top.pop();
    }
  }
  return { chosen: decision.chosen, decidedBy: decision.decidedBy, top: top.map((t) => t.candidate), eligible, excluded };
}

import { PRIORITIES } from '../domain/values.js';
import {
  DEFAULT_LOAD_WEIGHTS,
  rankCandidates,
  type LoadWeights,
  type TechnicianSnapshot,
  type TicketForAssignment,
} from '../rules/assignment.js';
import { byPriorityThenAge, type QueuedTicket } from '../tickets/escalation.js';

export const POLICIES = ['engine', 'round-robin', 'least-loaded'] as const;
export type PolicyName = (typeof POLICIES)[number];

/**
 * Who is offered a ticket, and which waiting ticket goes first. Every policy uses the gateway's own
 * eligibility (rankCandidates: tier, skills, availability, shift, maxLoad, declines), so they differ
 * only in the choice among the eligible and in the order of waiting work:
 * - engine: the gateway's ranking (skill fit, weighted load, idle longest) and its queue order
 *   (priority, then age: byPriorityThenAge);
 * - round-robin: the next eligible technician after the last one chosen in that tier, first come first served;
 * - least-loaded: the eligible technician with the fewest open tickets, first come first served.
 */
export interface RoutingPolicy {
  /** One of POLICIES, or another name for a policy given directly (the bench's baseline). */
  name: string;
  order(a: QueuedTicket, b: QueuedTicket): number;
  /** The chosen technician's id (their index in the run), or null: the ticket waits. */
  choose(ticket: TicketForAssignment, technicians: readonly TechnicianSnapshot<number>[]): number | null;
}

const byAge = (a: QueuedTicket, b: QueuedTicket) => a.createdAt.getTime() - b.createdAt.getTime() || (a.number ?? 0) - (b.number ?? 0);

const openCount = (t: TechnicianSnapshot<number>) => {
  let n = 0;
  for (const p of PRIORITIES) n += t.openLoad[p];
  return n;
};

export function createPolicy(name: PolicyName, weights: LoadWeights = DEFAULT_LOAD_WEIGHTS): RoutingPolicy {
  if (name === 'engine') {
    return { name, order: byPriorityThenAge, choose: (ticket, technicians) => rankCandidates(ticket, technicians, weights).chosen };
  }
  if (name === 'round-robin') {
    // The last technician chosen, per tier: the turn goes on from there, in id order.
    const last = new Map<number, number>();
    return {
      name,
      order: byAge,
      choose(ticket, technicians) {
        const after = last.get(ticket.tier) ?? -1;
        let first: number | null = null;
        let next: number | null = null;
        for (const c of rankCandidates(ticket, technicians, weights).candidates) {
          if (!c.eligible) continue;
          first ??= c.id;
          if (next === null && c.id > after) next = c.id;
        }
        const chosen = next ?? first;
        if (chosen !== null) last.set(ticket.tier, chosen);
        return chosen;
      },
    };
  }
  return {
    name,
    order: byAge,
    choose(ticket, technicians) {
      const candidates = rankCandidates(ticket, technicians, weights).candidates;
      let best: TechnicianSnapshot<number> | null = null;
      for (const [i, t] of technicians.entries()) {
        if (candidates[i]?.eligible && (best === null || openCount(t) < openCount(best))) best = t;
      }
      return best?.id ?? null;
    },
  };
}

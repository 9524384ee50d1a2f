import { PRIORITIES, type Priority, type Tier } from '../domain/values.js';

export interface Escalation {
  tier: Tier;
  priority: Priority;
  tierChanged: boolean;
  priorityChanged: boolean;
  /** False at tier 3 and P1: the caller still records the request and tells the coordinator. */
  changed: boolean;
}

/** One tier up (at most 3) and one priority up (at most P1), as the contract says. */
export function escalate(current: { tier: Tier; priority: Priority }): Escalation {
  const tier: Tier = current.tier >= 3 ? 3 : current.tier === 1 ? 2 : 3;
  const priority = raisePriority(current.priority);
  const tierChanged = tier !== current.tier;
  const priorityChanged = priority !== current.priority;
  return { tier, priority, tierChanged, priorityChanged, changed: tierChanged || priorityChanged };
}

export function raisePriority(priority: Priority): Priority {
  const index = PRIORITIES.indexOf(priority);
  return PRIORITIES[Math.max(0, index - 1)] ?? 'P1';
}

export interface QueuedTicket {
  priority: Priority;
  createdAt: Date;
  /** Breaks ties between tickets created in the same millisecond, so the order is total. */
  number?: number | undefined;
}

/** Waiting tickets: P1 first, then the oldest, so nobody starves behind newer work of equal weight. */
export function byPriorityThenAge(a: QueuedTicket, b: QueuedTicket): number {
  return (
    PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.number ?? 0) - (b.number ?? 0)
  );
}

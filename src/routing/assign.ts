import type { Store } from '../store/index.js';
import type { CommitMode } from '../store/routing-repository.js';
import { requiredSkills } from '../rules/categorize.js';
import { tellListeners } from '../tickets/write-change.js';
import { decide } from './decide.js';
import type { RoutingEngine } from './engine.js';
import type { RouteOutcome, Routed } from './routed.js';
import { offerTimers } from '../rules/timer-plan.js';

const skip = (ticketId: string, reason: string): Routed => ({ ticketId, outcome: { kind: 'skipped', reason }, events: [], state: null });

/** Holding no technician's row before routing starts. */
const NO_ONE: ReadonlySet<string> = new Set();

/**
 * Routes one ticket inside `tx`: lock the ticket, leave it alone while the outage it was linked to
 * when it was opened (tickets/open-ticket.ts) goes on, or rank the technicians who may take it, lock the chosen one and read their load under the lock
 * (another worker may just have offered them a ticket), then offer, or leave it waiting with why.
 * Several workers may run this at once: the ticket lock means one offer per ticket, the technician
 * lock plus the load read under it means nobody goes over maxLoad.
 *
 * `holding`: technicians whose rows `tx` already holds, because a ticket of theirs changed in it
 * (an offer that expired, a ticket escalated away): their load moved, which locks their row. Such
 * a transaction must not wait for another technician's row, as one holding none may.
 *
 * `commit: 'relaxed'`, for a transaction that only routes (see CommitMode).
 */
export async function routeLocked(
  engine: RoutingEngine,
  ticketId: string,
  now: Date,
  tx: Store,
  options: { holding?: ReadonlySet<string>; commit?: CommitMode } = {},
): Promise<Routed> {
  const holding = options.holding ?? NO_ONE;
  const waiting = await tx.routing.lockWaiting(ticketId, options.commit ?? 'durable');
  if (!waiting.state) return skip(ticketId, waiting.status ? `ticket is ${waiting.status}` : 'no such ticket');
  const { state } = waiting;
  const required = requiredSkills(state.category, engine.rules.current().categories);
  const context = await tx.routing.decisionContext({ state, skills: required, now });

  if (state.outageId && context.linkedOngoing) return skip(ticketId, 'linked to an ongoing outage');
  return decide(engine, { state, required, now, tx, holding }, context);
}

/**
 * After the commit: listeners hear of it (but routing's own producer: an offer or a queue entry
 * frees nobody, and the offer's timers are scheduled right here), and an offer gets its timers.
 */
export async function afterRouting(engine: RoutingEngine, routed: Routed): Promise<void> {
  tellListeners(engine.deps, { ticketId: routed.ticketId, events: routed.events }, engine.selfListener);
  const state = routed.state;
  if (routed.outcome.kind === 'offered' && state?.offeredAt) {
    const offer = { ticketId: state.id, priority: state.priority, offeredAt: state.offeredAt, remindersSent: 0 };
    await engine.schedule(offerTimers(offer, engine.rules.current().offers));
  }
}

/**
 * Routes a ticket in a transaction of its own; a no-op unless it is new and unassigned. No look
 * before the transaction: the lock itself checks, and locks nothing when the ticket does not wait.
 */
export async function routeTicket(engine: RoutingEngine, ticketId: string): Promise<RouteOutcome> {
  await engine.rules.fresh();
  const now = engine.now();
  const routed = await engine.deps.store.transaction((tx) => routeLocked(engine, ticketId, now, tx, { commit: 'relaxed' }));
  await afterRouting(engine, routed);
  return routed.outcome;
}

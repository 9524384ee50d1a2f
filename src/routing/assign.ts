import type { Store } from '../store/index.js';
import type { CommitMode } from '../store/routing-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import { requiredSkills } from '../rules/categorize.js';
import { tellListeners, writeChange } from '../tickets/write-change.js';
import { decide } from './decide.js';
import type { RoutingEngine } from './engine.js';
import { ROUTING_ACTOR, type RouteOutcome, type Routed } from './routed.js';
import { offerTimers } from '../rules/timer-plan.js';

const skip = (ticketId: string, reason: string): Routed => ({ ticketId, outcome: { kind: 'skipped', reason }, events: [], state: null });

/** Holding no technician's row before routing starts. */
const NO_ONE: ReadonlySet<string> = new Set();

/**
 * Routes one ticket inside `tx`: lock the ticket, link it to an ongoing outage of its category or
 * rank the technicians who may take it, lock the chosen one and read their load under the lock
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

  const linkedTo = state.outageId;
  if (linkedTo && context.linkedOngoing) return skip(ticketId, 'linked to an ongoing outage');
  if (!linkedTo && context.outage) return linkToOutage(engine, state, context.outage, tx);
  return decide(engine, { state, required, now, tx, holding }, context);
}

/** A ticket about an ongoing outage is linked to it and left alone: the outage is being worked. */
async function linkToOutage(engine: RoutingEngine, state: TicketState, outageId: string, tx: Store): Promise<Routed> {
  const written = await writeChange(
    engine.deps,
    tx,
    state,
    { changes: { outageId }, events: [{ type: 'linked_to_outage', data: { outageId, category: state.category } }] },
    ROUTING_ACTOR,
  );
  return { ticketId: state.id, outcome: { kind: 'linked', outageId }, events: written.events, state: written.state };
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

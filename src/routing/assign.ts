import type { Transaction } from 'sequelize';
import type { TicketState } from '../store/ticket-repository.js';
import { offerDecision } from '../tickets/actions.js';
import { rankCandidates, summarizeDecision, type AssignmentDecision, type TechnicianSnapshot } from './assignment.js';
import { requiredSkills } from './categorize.js';
import type { RoutingEngine } from './engine.js';
import { readHistory, type RoutingHistory } from './history.js';
import { onShift } from './offers.js';
import type { TechnicianRecord } from './routing-queries.js';
import { offerTimers } from './timer-plan.js';
import { tellListeners, writeDecision } from './write-decision.js';

export const ROUTING_ACTOR = 'system:routing';

export type RouteOutcome =
  | { kind: 'offered'; technicianId: string }
  | { kind: 'queued' }
  | { kind: 'linked'; outageId: string }
  | { kind: 'skipped'; reason: string };

/** What a routing step did inside its transaction; the caller commits, then calls afterRouting. */
export interface Routed {
  ticketId: string;
  outcome: RouteOutcome;
  /** Types of the events written, for the listeners. */
  events: string[];
  state: TicketState | null;
}

/** A candidate whose row was locked and load recounted may be offered; others are checked first. */
const MAX_LOCK_ROUNDS = 8;

const skip = (ticketId: string, reason: string): Routed => ({ ticketId, outcome: { kind: 'skipped', reason }, events: [], state: null });

function snapshotOf(r: TechnicianRecord, history: RoutingHistory, shiftNow: (shift: string | null) => boolean): TechnicianSnapshot {
  return {
    id: r.id,
    tier: r.tier,
    skills: r.skills,
    maxLoad: r.maxLoad,
    available: r.available,
    onShift: shiftNow(r.shift),
    openLoad: r.openLoad,
    lastAssignedAt: r.lastAssignedAt,
    declined: history.excluded.has(r.id),
  };
}

/**
 * Routes one ticket inside `tx`: lock the ticket, link it to an ongoing outage of its category or
 * rank the technicians who may take it, lock the chosen one and recount their load (another worker
 * may just have offered them a ticket), then offer, or leave it waiting with why. Several workers
 * may run this at once: the ticket lock means one offer per ticket, the technician lock plus the
 * recount means nobody goes over maxLoad.
 */
export async function routeLocked(engine: RoutingEngine, ticketId: string, now: Date, tx: Transaction): Promise<Routed> {
  const { deps, queries } = engine;
  const state = await deps.store.tickets.lock(ticketId, tx);
  if (!state) return skip(ticketId, 'no such ticket');
  if (state.status !== 'new' || state.assigneeId) return skip(ticketId, `ticket is ${state.status}`);

  const linkedTo = (state as TicketState & { outageId?: string | null }).outageId ?? null;
  const context = await queries.routingContext({ ticketId, category: state.category, linkedTo, now }, tx);
  if (linkedTo && context.linkedOngoing) return skip(ticketId, 'linked to an ongoing outage');
  if (!linkedTo && context.outage) return linkToOutage(engine, state, context.outage, tx);

  const rules = engine.rules.current();
  const required = requiredSkills(state.category, rules.categories);
  const records = await queries.candidates(state.tier, required, tx);
  const history = readHistory(context.events);
  const shifts = new Map<string, boolean>();
  const shiftNow = (shift: string | null) => {
    if (!shift) return true;
    let on = shifts.get(shift);
    if (on === undefined) shifts.set(shift, (on = onShift(shift, now, engine.timezone)));
    return on;
  };
  const snapshots = records.map((r) => snapshotOf(r, history, shiftNow));
  const ticket = { priority: state.priority, tier: state.tier, requiredSkills: required };
  // Technicians whose rows this transaction holds locked, their load recounted under the lock;
  // and those another router holds right now (their snapshot as read, kept aside).
  const held = new Set<string>();
  const busy = new Map<string, TechnicianSnapshot>();
  const indexOf = (id: string) => snapshots.findIndex((t) => t.id === id);

  for (let round = 0; ; round++) {
    const decision = rankCandidates(ticket, snapshots, rules.loadWeights);
    for (const c of decision.candidates) if (busy.has(c.id)) c.reasons = ['busy: being offered another ticket'];
    const why = explain(decision, state, required);
    let chosen = decision.chosen;
    let mode: 'wait' | 'skip-locked' = 'skip-locked';
    if (chosen === null && busy.size > 0) {
      // Everyone who fits is being offered another ticket this instant. Holding no technician,
      // this transaction may wait for the best of them (nobody can be waiting for it in turn).
      if (held.size > 0 || round >= MAX_LOCK_ROUNDS) throw new RoutingContention();
      for (const [id, snapshot] of busy) snapshots[indexOf(id)] = snapshot;
      chosen = rankCandidates(ticket, snapshots, rules.loadWeights).chosen;
      busy.clear();
      mode = 'wait';
    }
    if (chosen === null) {
      // Queued once per stay in the queue: a second look that changes nothing writes nothing.
      if (history.lastRouting === 'queued') return { ticketId, outcome: { kind: 'queued' }, events: [], state };
      const written = await writeDecision(deps, state, { changes: {}, events: [{ type: 'queued', data: { why } }] }, ROUTING_ACTOR, tx);
      return { ticketId, outcome: { kind: 'queued' }, ...written };
    }
    if (held.has(chosen)) {
      // Locked, recounted, and still the best: the offer cannot take them past maxLoad.
      await queries.markAssigned(chosen, now, tx);
      const written = await writeDecision(deps, state, offerDecision(state, chosen, now, { why }), ROUTING_ACTOR, tx);
      return { ticketId, outcome: { kind: 'offered', technicianId: chosen }, ...written };
    }
    if (round >= MAX_LOCK_ROUNDS) throw new RoutingContention();
    // SKIP LOCKED: a candidate another router is offering a ticket to right now is passed over
    // for this decision (so a burst spreads over the desk instead of queueing on one row), and a
    // transaction holding a technician never waits for a second one (which could deadlock).
    const locked = await queries.lockTechnician(chosen, tx, mode);
    const index = indexOf(chosen);
    const current = snapshots[index] as TechnicianSnapshot;
    if (locked === 'busy') {
      busy.set(chosen, current);
      snapshots[index] = { ...current, available: false };
      continue;
    }
    snapshots[index] = locked ? snapshotOf(locked, history, shiftNow) : { ...current, available: false };
    held.add(chosen);
  }
}

/** Several routers want the same technicians at once; the job is retried and decides again. */
export class RoutingContention extends Error {
  constructor() {
    super('routing: the fitting technicians are being offered other tickets right now; try again');
    this.name = 'RoutingContention';
  }
}

/** A ticket about an ongoing outage is linked to it and left alone: the outage is being worked. */
async function linkToOutage(engine: RoutingEngine, state: TicketState, outageId: string, tx: Transaction): Promise<Routed> {
  await engine.queries.linkOutage(state.id, outageId, tx);
  const written = await writeDecision(
    engine.deps,
    state,
    { changes: {}, events: [{ type: 'linked_to_outage', data: { outageId, category: state.category } }] },
    ROUTING_ACTOR,
    tx,
  );
  return { ticketId: state.id, outcome: { kind: 'linked', outageId }, ...written };
}

/** The event's "why": the best candidates with their scores, and how many were excluded for what. */
function explain(decision: AssignmentDecision, state: TicketState, required: string[]) {
  return {
    ...summarizeDecision(decision),
    tier: state.tier,
    requiredSkills: required,
    considered: decision.candidates.length,
    ...(decision.candidates.length === 0
      ? { reason: `no available tier ${state.tier} technician holds ${required.length ? required.join(', ') : 'any skill'}` }
      : {}),
  };
}

/**
 * After the commit: listeners hear of it (but routing's own producer: an offer or a queue entry
 * frees nobody, and the offer's timers are scheduled right here), and an offer gets its timers.
 */
export async function afterRouting(engine: RoutingEngine, routed: Routed): Promise<void> {
  tellListeners(engine.deps, routed.ticketId, routed.events, engine.selfListener);
  const state = routed.state;
  if (routed.outcome.kind === 'offered' && state?.offeredAt) {
    const offer = { ticketId: state.id, priority: state.priority, offeredAt: state.offeredAt, remindersSent: 0 };
    await engine.schedule(offerTimers(offer, engine.rules.current().offers));
  }
}

/** Routes a ticket in a transaction of its own; a no-op unless it is new and unassigned. */
export async function routeTicket(engine: RoutingEngine, ticketId: string): Promise<RouteOutcome> {
  const peek = await engine.queries.peek(ticketId);
  if (!peek) return { kind: 'skipped', reason: 'no such ticket' };
  if (peek.status !== 'new' || peek.assigneeId) return { kind: 'skipped', reason: `ticket is ${peek.status}` };
  await engine.rules.fresh();
  const now = engine.now();
  const routed = await engine.deps.store.transaction((tx) => routeLocked(engine, ticketId, now, tx));
  await afterRouting(engine, routed);
  return routed.outcome;
}

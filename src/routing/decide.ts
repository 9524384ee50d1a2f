import type { Store } from '../store/index.js';
import type { Candidate, DecisionContext, TechnicianContact, TechnicianRecord } from '../store/routing-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import { offerDecision } from '../tickets/actions.js';
import { planTicketWrite, writeChange } from '../tickets/write-change.js';
import { rankCandidates, summarizeDecision, type AssignmentDecision, type TechnicianSnapshot } from '../rules/assignment.js';
import type { RoutingEngine } from './engine.js';
import { readHistory, type RoutingHistory } from '../rules/history.js';
import { ROUTING_ACTOR, RoutingContention, type Routed } from './routed.js';

/** A candidate whose row was locked and load read under the lock may be offered; others are checked first. */
const MAX_LOCK_ROUNDS = 8;

export interface Deciding {
  state: TicketState;
  required: string[];
  now: Date;
  tx: Store;
  /** Technicians whose rows `tx` held before routing began (see routeLocked). */
  holding: ReadonlySet<string>;
}

/** A technician as the ranking sees them at `now`: routing's decisions and a person's choice (the console) alike. */
export function snapshotOf(r: TechnicianRecord, history: RoutingHistory, shiftNow: (shift: string | null) => boolean): TechnicianSnapshot {
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
 * Ranks the candidates and offers the ticket to the best one whose row, locked, is as ranked (one
 * statement: the routing repository's lockAndOffer); or leaves it waiting, with why.
 */
export async function decide(
  engine: RoutingEngine,
  { state, required, now, tx, holding }: Deciding,
  context: DecisionContext,
): Promise<Routed> {
  const { deps } = engine;
  const ticketId = state.id;
  const rules = engine.rules.current();
  const history = readHistory(context.events);
  const shiftNow = (shift: string | null) => engine.onShift(shift, now);
  const candidates = context.candidates;
  const snapshots = candidates.map((c) => snapshotOf(c.record, history, shiftNow));
  const ticket = { priority: state.priority, tier: state.tier, requiredSkills: required };
  const offer = (technicianId: string, why: Record<string, unknown>, contact: TechnicianContact) => ({
    decision: offerDecision(state, technicianId, now, { why }),
    hints: {
      eventIds: [context.eventId],
      ...(context.recipients ? { recipients: { ...context.recipients, technician: contact } } : {}),
      lastAssigned: { technicianId, at: now },
    },
  });
  // Technicians whose rows this transaction holds locked, with their load as read under the lock;
  // and those another router holds right now (their snapshot as read, kept aside).
  const held = new Map<string, TechnicianContact>();
  const busy = new Map<string, TechnicianSnapshot>();
  const indexOf = (id: string) => snapshots.findIndex((t) => t.id === id);

  for (let round = 0; ; round++) {
    let decision = rankCandidates(ticket, snapshots, rules.loadWeights);
    for (const c of decision.candidates) if (busy.has(c.id)) c.reasons = ['busy: being offered another ticket'];
    let mode: 'wait' | 'skip-locked' = 'skip-locked';
    if (decision.chosen === null && busy.size > 0) {
      // Everyone who fits is being offered another ticket this instant. Holding no technician,
      // this transaction may wait for the best of them (nobody can be waiting for it in turn).
      if (held.size > 0 || holding.size > 0 || round >= MAX_LOCK_ROUNDS) throw new RoutingContention();
      for (const [id, snapshot] of busy) snapshots[indexOf(id)] = snapshot;
      decision = rankCandidates(ticket, snapshots, rules.loadWeights);
      busy.clear();
      mode = 'wait';
    }
    const why = explain(decision, state, required);
    const chosen = decision.chosen;
    if (chosen === null) {
      // Queued once per stay in the queue: a second look that changes nothing writes nothing.
      if (history.lastRouting === 'queued') return { ticketId, outcome: { kind: 'queued' }, events: [], state };
      const written = await writeChange(deps, tx, state, { changes: {}, events: [{ type: 'queued', data: { why } }] }, ROUTING_ACTOR, {
        eventIds: [context.eventId],
      });
      return { ticketId, outcome: { kind: 'queued' }, events: written.events, state: written.state };
    }
    const contact = held.get(chosen);
    if (contact) {
      // Locked, load read under the lock, and still the best: the offer cannot take them past maxLoad.
      const { decision: offered, hints } = offer(chosen, why, contact);
      const written = await writeChange(deps, tx, state, offered, ROUTING_ACTOR, hints);
      return { ticketId, outcome: { kind: 'offered', technicianId: chosen }, events: written.events, state: written.state };
    }
    if (round >= MAX_LOCK_ROUNDS) throw new RoutingContention();
    // Lock the chosen one and, if their row is as ranked, offer in the same statement. SKIP
    // LOCKED: a candidate another router is offering a ticket to right now is passed over for this
    // decision (so a burst spreads over the desk instead of queueing on one row), and a
    // transaction holding a technician never waits for a second one (which could deadlock).
    const index = indexOf(chosen);
    const candidate = candidates[index] as Candidate;
    const attempt = offer(chosen, why, candidate.contact);
    const planned = await planTicketWrite(deps, tx, state, attempt.decision, ROUTING_ACTOR, attempt.hints);
    const locked = await tx.routing.lockAndOffer(planned.write, candidate, mode);
    if (locked !== 'busy' && locked?.offered)
      return { ticketId, outcome: { kind: 'offered', technicianId: chosen }, events: planned.events, state: planned.state };
    const current = snapshots[index] as TechnicianSnapshot;
    if (locked === 'busy') {
      busy.set(chosen, current);
      snapshots[index] = { ...current, available: false };
      continue;
    }
    // The row changed since it was read: rank again with it as locked.
    snapshots[index] = locked ? snapshotOf(locked.record, history, shiftNow) : { ...current, available: false };
    if (locked) held.set(chosen, locked.contact);
  }
}

/** The event's "why": the best candidates with their scores, and how many were excluded for what. */
function explain(decision: AssignmentDecision, state: TicketState, required: string[]) {
  return {
    ...summarizeDecision(decision),
    tier: state.tier,
    requiredSkills: required,
    considered: decision.candidates.length,
    ...(decision.candidates.length === 0
      ? { reason: `no available tier ${state.tier} technician${required.length ? ` holds ${required.join(', ')}` : ''}` }
      : {}),
  };
}

import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import { escalationDecision } from '../tickets/actions.js';
import { tellListeners, writeChange, type Decision } from '../tickets/write-change.js';
import { routeLocked } from './assign.js';
import { ROUTING_ACTOR, type Routed } from './routed.js';
import { drainFor } from './drain.js';
import type { RoutingEngine } from './engine.js';
import { escalate } from '../tickets/escalation.js';
import { readHistory, type RoutingHistory } from '../rules/history.js';
import { offerDeadlines, onShift } from '../rules/offers.js';
import { slaTargetsFor } from '../rules/rules-book.js';
import { reminderTimes, runningClocks, warningAt, type SlaClock, type TimerData } from '../rules/timer-plan.js';
import { syncTechnicianTimer, syncTicketTimers } from './timer-sync.js';

/**
 * What a timer does when it fires. Each one re-reads its ticket under lock and acts only if the
 * state it was set for still holds (the same offer, a clock still running, a deadline not moved);
 * a timer that finds things moved on does nothing but reschedule from the current state. So a
 * timer scheduled twice, or replayed after a restart, has its effect once.
 */

/** Bull fires on time to the millisecond here, but processes' clocks may differ a little. */
const EARLY_TOLERANCE_MS = 1000;

type Step = { events: string[]; routed: Routed | null } | null;

async function withTicket(
  engine: RoutingEngine,
  ticketId: string,
  act: (state: TicketState, history: RoutingHistory, now: Date, tx: Store) => Promise<Step>,
): Promise<string> {
  await engine.rules.fresh();
  const now = engine.now();
  const step = await engine.deps.store.transaction(async (tx) => {
    const state = await tx.tickets.lock(ticketId);
    if (!state) return null;
    return act(state, readHistory(await tx.routing.events(ticketId)), now, tx);
  });
  if (step) tellListeners(engine.deps, { ticketId, events: step.events });
  // Whatever happened, the ticket's timers now follow its current state (a new offer's included).
  await syncTicketTimers(engine, ticketId);
  return step ? step.events.join(',') || 'nothing to write' : 'moved on';
}

async function write(engine: RoutingEngine, state: TicketState, decision: Decision, tx: Store) {
  return writeChange(engine.deps, tx, state, decision, ROUTING_ACTOR);
}

/** The technician whose row a change of this ticket's load locked in the transaction. */
const holders = (before: TicketState): ReadonlySet<string> => new Set(before.assigneeId ? [before.assigneeId] : []);

function isOffer(state: TicketState, offeredAt: number): boolean {
  return state.status === 'assigned' && state.assigneeId !== null && state.offeredAt?.getTime() === offeredAt;
}

/** No ACCEPT in time: back to `new`, and straight on to the next best technician, in one transaction. */
function expireOffer(engine: RoutingEngine, data: Extract<TimerData, { kind: 'offer-expiry' }>) {
  return withTicket(engine, data.ticketId, async (state, _history, now, tx) => {
    if (!isOffer(state, data.offeredAt) || !state.offeredAt) return null;
    const offers = engine.rules.current().offers;
    const { expiresAt } = offerDeadlines(state.offeredAt, state.priority, offers.timeouts, offers.reminderRatio);
    if (expiresAt.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return null;
    const expired = await write(
      engine,
      state,
      {
        changes: { status: 'new', assigneeId: null, offeredAt: null },
        events: [
          {
            type: 'offer_expired',
            data: { technicianId: state.assigneeId, offeredAt: data.offeredAt, timeoutMinutes: offers.timeouts[state.priority] },
          },
        ],
      },
      tx,
    );
    // The expiry took the ticket off its technician's load, which holds their row: see routeLocked.
    const routed = await routeLocked(engine, state.id, now, tx, { holding: holders(state) });
    return { events: [...expired.events, ...routed.events], routed };
  });
}

/** The offer is texted again (`technician.offer-reminder`), once per scheduled reminder. */
function remindOffer(engine: RoutingEngine, data: Extract<TimerData, { kind: 'offer-reminder' }>) {
  return withTicket(engine, data.ticketId, async (state, history, now, tx) => {
    if (!isOffer(state, data.offeredAt) || !state.offeredAt) return null;
    if (history.reminded(data.offeredAt, data.n) || history.remindersSent(data.offeredAt) > data.n) return null;
    const due = reminderTimes(state.offeredAt, state.priority, engine.rules.current().offers)[data.n];
    if (!due || due.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return null;
    const written = await write(
      engine,
      state,
      {
        changes: {},
        events: [{ type: 'offer_reminder', data: { technicianId: state.assigneeId, offeredAt: data.offeredAt, n: data.n } }],
        notify: ['technician.offer-reminder'],
        ...(state.assigneeId ? { technicianId: state.assigneeId } : {}),
      },
      tx,
    );
    return { events: written.events, routed: null };
  });
}

function clockDue(state: TicketState, clock: SlaClock): Date | null {
  return runningClocks(state).find((c) => c.clock === clock)?.due ?? null;
}

/** 75% of a target gone: the assignee is told (`technician.sla-warning`), once per clock and priority. */
function warnSla(engine: RoutingEngine, data: Extract<TimerData, { kind: 'sla-warning' }>) {
  return withTicket(engine, data.ticketId, async (state, history, now, tx) => {
    if (await tx.routing.linkedToOngoingOutage(state.id)) return null;
    const due = clockDue(state, data.clock);
    if (!due || history.sla.breached.has(data.clock) || history.sla.warned.has(`${data.clock}:${state.priority}`)) return null;
    const rules = engine.rules.current();
    const { calendar } = rules;
    const target = slaTargetsFor(rules, state.type)[state.priority];
    const minutes = data.clock === 'response' ? target.responseMinutes : target.resolutionMinutes;
    const at = warningAt(calendar, state.createdAt, due, minutes, target.aroundTheClock);
    if (at.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return null;
    const written = await write(
      engine,
      state,
      {
        changes: {},
        events: [{ type: 'sla_warning', data: { clock: data.clock, priority: state.priority, due: due.toISOString() } }],
        notify: ['technician.sla-warning'],
        extra: { clock: data.clock, due: due.toISOString() },
      },
      tx,
    );
    return { events: written.events, routed: null };
  });
}

/**
 * A target missed: recorded on the ticket, the coordinator told (`coordinator.breach`), and the
 * ticket escalated (a tier and a priority up) and routed again at its new tier, all at once.
 */
function breachSla(engine: RoutingEngine, data: Extract<TimerData, { kind: 'sla-breach' }>) {
  return withTicket(engine, data.ticketId, async (state, history, now, tx) => {
    if (await tx.routing.linkedToOngoingOutage(state.id)) return null;
    const due = clockDue(state, data.clock);
    if (!due || history.sla.breached.has(data.clock)) return null;
    if (due.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return null;
    const breach = { type: 'sla_breached', data: { clock: data.clock, priority: state.priority, due: due.toISOString() } };
    const next = escalate(state);
    let decision: Decision;
    if (next.changed) {
      const escalation = escalationDecision(engine.deps, state, `SLA ${data.clock} target missed`);
      decision = {
        changes: { ...escalation.changes, breached: true },
        events: [breach, ...escalation.events],
        // The breach message names the escalation; a second coordinator message would say it again.
        notify: ['coordinator.breach', ...(escalation.notify ?? []).filter((k) => k !== 'coordinator.escalation')],
        extra: { clock: data.clock, escalatedTo: { tier: next.tier, priority: next.priority } },
      };
    } else {
      decision = { changes: { breached: true }, events: [breach], notify: ['coordinator.breach'], extra: { clock: data.clock } };
    }
    const written = await write(engine, state, decision, tx);
    if (!next.changed) return { events: written.events, routed: null };
    const routed = await routeLocked(engine, state.id, now, tx, { holding: holders(state) });
    return { events: [...written.events, ...routed.events], routed };
  });
}

/** A shift began: the waiting tickets this technician may take are offered. */
async function startShift(engine: RoutingEngine, data: Extract<TimerData, { kind: 'shift-start' }>): Promise<string> {
  const technician = await engine.deps.store.technicians.get(data.technicianId);
  if (!technician) return 'moved on';
  if (!onShift(technician.shift, engine.now(), engine.timezone)) {
    await syncTechnicianTimer(engine, data.technicianId);
    return 'not yet on shift';
  }
  const result = await drainFor(engine, data.technicianId);
  return `offered ${result.offered}`;
}

export async function fireTimer(engine: RoutingEngine, data: TimerData): Promise<string> {
  switch (data.kind) {
    case 'offer-expiry':
      return expireOffer(engine, data);
    case 'offer-reminder':
      return remindOffer(engine, data);
    case 'sla-warning':
      return warnSla(engine, data);
    case 'sla-breach':
      return breachSla(engine, data);
    case 'shift-start':
      return startShift(engine, data);
  }
}

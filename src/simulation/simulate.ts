import { DateTime } from 'luxon';
import { parseBusinessHours } from '../config/business-hours.js';
import { PRIORITIES, type Priority, type Tier } from '../domain/values.js';
import { DEFAULT_LOAD_WEIGHTS, rankCandidates, type TechnicianSnapshot, type TicketForAssignment } from '../rules/assignment.js';
import type { BusinessCalendar } from '../rules/calendar.js';
import { DEFAULT_CATEGORY_TABLE, requiredSkills, startingTier, type CategoryDefinition } from '../rules/categorize.js';
import { DEFAULT_OFFER_TIMEOUTS, offerDeadlines, type OfferTimeouts } from '../rules/offers.js';
import { DEFAULT_SLA_TARGETS, dueDates, type SlaTargets } from '../rules/sla.js';
import { EventQueue } from './event-queue.js';
import { createPolicy, type PolicyName, type RoutingPolicy } from './policies.js';
import { exponential, stream, type Random } from './random.js';
import type { Scenario } from './scenario.js';
import { overlapMs, shiftSpans } from './shifts.js';

/**
 * A discrete-event run of a scenario on a simulated clock. Tickets arrive as Poisson streams; each is
 * routed by the policy (the engine's is the gateway's own ranking, on the gateway's own eligibility
 * and shift rules) when it arrives and, while it waits, whenever a technician who could take it has
 * room again (a ticket finished, an offer declined, a shift begun), in queue order: that is the
 * gateway's drain. As in the gateway, a technician holds up to maxLoad open tickets (offered ones
 * count) and a ticket is started when its offer is taken (at once unless the scenario says how
 * offers are answered); each ticket in hand then takes its own exponential handling time, so a
 * technician is maxLoad servers and utilisation is the share of those places in use while on shift.
 * After the last day no ticket arrives; what still waits is worked for up to a week more so that
 * every wait is known, and utilisation is counted over the scenario's days only.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ARRIVALS = 1;
const OFFERS = 2;

export interface SimulationOptions {
  /** A policy by name, or one given whole (the bench's baseline runs the loop with a trivial one). */
  policy: PolicyName | RoutingPolicy;
  /** Overrides the scenario's seed; 1 when neither gives one. */
  seed?: number | undefined;
}

export interface TicketOutcome {
  /** Milliseconds after the run's start. */
  arrivedAt: number;
  priority: Priority;
  tier: Tier;
  /** Null: never started. */
  waitSeconds: number | null;
  /** Nobody could be offered it when it arrived. */
  queued: boolean;
  /** Started by its response due date (the gateway's SLA targets and calendar). */
  withinSla: boolean;
}

export interface SimulationRun {
  policy: string;
  seed: number;
  days: number;
  priorities: Priority[];
  outcomes: TicketOutcome[];
  /** Per tier: ticket-time in hand and place-time on shift (maxLoad × shift), over the scenario's days. */
  tiers: Map<Tier, { busyMs: number; onShiftMs: number }>;
  /** Events handled, for the bench. */
  events: number;
}

interface SimTicket {
  number: number;
  /** The exact simulated instant; createdAt (a Date, for the gateway's functions) keeps whole milliseconds only. */
  arrivedAt: number;
  createdAt: Date;
  priority: Priority;
  tier: Tier;
  required: string[];
  lane: Lane;
  handlingMs: number;
  state: 'waiting' | 'offered' | 'working' | 'done';
  /** Physically in its lane (entries that left the waiting state are dropped lazily). */
  inLane: boolean;
  queued: boolean;
  startedAt: number | null;
  declined: Set<number> | null;
}

interface Lane {
  items: SimTicket[];
  head: number;
}

interface QueueKey {
  tier: Tier;
  required: string[];
  /** One lane per priority, P1 first. */
  lanes: Lane[];
}

interface SimTech {
  id: number;
  shift: string | null;
  snapshot: TechnicianSnapshot<number>;
  keys: QueueKey[];
  busyMs: number;
  /** When on shift (null: always), and the first span not yet over: the clock only moves forward. */
  spans: [number, number][] | null;
  span: number;
}

type SimEvent =
  | { kind: 'arrival'; stream: number }
  | { kind: 'reply'; ticket: SimTicket; tech: SimTech; accepted: boolean }
  | { kind: 'done'; ticket: SimTicket; tech: SimTech }
  | { kind: 'shift'; tech: SimTech; span: number };

interface Stream {
  priority: Priority;
  tier: Tier;
  required: string[];
  key: QueueKey;
  rates: number[];
  handlingMs: number;
}

const priorityIndex = (p: Priority) => PRIORITIES.indexOf(p);

export function simulate(scenario: Scenario, options: SimulationOptions): SimulationRun {
  const seed = options.seed ?? scenario.seed ?? 1;
  const timezone = scenario.timezone ?? 'UTC';
  // A Monday, local midnight: hour 0 of the week, as `perHour` counts.
  const start = DateTime.fromObject({ year: 2024, month: 1, day: 1 }, { zone: timezone }).toMillis();
  const end = start + scenario.days * DAY;
  const stopAt = end + 7 * DAY;
  const rules = scenario.rules ?? {};
  const calendar: BusinessCalendar = {
    timezone,
    hours: parseBusinessHours(scenario.businessHours ?? 'always'),
    holidays: rules.holidays ?? [],
  };
  const slaTargets: SlaTargets = rules.slaTargets ?? DEFAULT_SLA_TARGETS;
  const policy: RoutingPolicy =
    typeof options.policy === 'string' ? createPolicy(options.policy, rules.loadWeights ?? DEFAULT_LOAD_WEIGHTS) : options.policy;
  const arrivalsRandom: Random = stream(seed, ARRIVALS);
  const offersRandom: Random = stream(seed, OFFERS);
  const offerTimeouts: OfferTimeouts = scenario.offerTimeoutSeconds
    ? {
        P1: scenario.offerTimeoutSeconds / 60,
        P2: scenario.offerTimeoutSeconds / 60,
        P3: scenario.offerTimeoutSeconds / 60,
        P4: scenario.offerTimeoutSeconds / 60,
      }
    : (rules.offerTimeoutMinutes ?? DEFAULT_OFFER_TIMEOUTS);
  const acceptMeanMs = (scenario.offers?.meanAcceptSeconds ?? 0) * 1000;
  const declineProbability = scenario.offers?.declineProbability ?? 0;
  const offersTakenAtOnce = acceptMeanMs === 0 && declineProbability === 0;

  const categories: CategoryDefinition[] = scenario.categories
    ? scenario.categories.map((c) => ({ ...c, keywords: [] }))
    : DEFAULT_CATEGORY_TABLE;
  const keys = new Map<string, QueueKey>();
  const keyOf = (tier: Tier, required: string[]): QueueKey => {
    const name = `${tier}|${[...required].sort().join(',')}`;
    let key = keys.get(name);
    if (!key) {
      key = { tier, required, lanes: PRIORITIES.map(() => ({ items: [], head: 0 })) };
      keys.set(name, key);
    }
    return key;
  };
  const streams: Stream[] = scenario.arrivals.map((a) => {
    const tier = startingTier(a.category, categories);
    const required = requiredSkills(a.category, categories);
    return {
      priority: a.priority,
      tier,
      required,
      key: keyOf(tier, required),
      rates: typeof a.perHour === 'number' ? new Array<number>(168).fill(a.perHour) : a.perHour,
      handlingMs: a.handlingSeconds * 1000,
    };
  });

  const techs: SimTech[] = [];
  const spansByShift = new Map<string, [number, number][] | null>();
  for (const t of scenario.technicians) {
    const count = t.count ?? 1;
    const shift = t.shift ?? null;
    let spans = spansByShift.get(shift ?? '');
    if (spans === undefined) {
      spans = shiftSpans(shift, timezone, start, stopAt);
      spansByShift.set(shift ?? '', spans);
    }
    for (let i = 0; i < count; i++) {
      const id = techs.length;
      techs.push({
        id,
        shift,
        snapshot: {
          id,
          tier: t.tier,
          skills: t.skills,
          maxLoad: t.maxLoad,
          available: true,
          onShift: true,
          openLoad: { P1: 0, P2: 0, P3: 0, P4: 0 },
          lastAssignedAt: null,
          declined: false,
        },
        keys: [],
        busyMs: 0,
        spans,
        span: 0,
      });
    }
  }
  // Which waiting lanes each technician could ever take, by the gateway's own eligibility rule.
  for (const tech of techs) {
    for (const key of keys.values()) {
      const probe: TechnicianSnapshot<number> = { ...tech.snapshot, openLoad: { P1: 0, P2: 0, P3: 0, P4: 0 }, onShift: true };
      const fits = rankCandidates({ priority: 'P4', tier: key.tier, requiredSkills: key.required }, [probe]).chosen !== null;
      if (fits) tech.keys.push(key);
    }
  }
  const byTier = new Map<Tier, SimTech[]>();
  for (const tech of techs) {
    const list = byTier.get(tech.snapshot.tier) ?? [];
    list.push(tech);
    byTier.set(tech.snapshot.tier, list);
  }
  const snapshotsByTier = new Map<Tier, TechnicianSnapshot<number>[]>();
  for (const [tier, list] of byTier)
    snapshotsByTier.set(
      tier,
      list.map((t) => t.snapshot),
    );

  const queue = new EventQueue<SimEvent>();
  const outcomes: SimTicket[] = [];
  const working = new Map<SimTicket, SimTech>();
  let now = start;
  let events = 0;

  const openCount = (s: TechnicianSnapshot<number>) => s.openLoad.P1 + s.openLoad.P2 + s.openLoad.P3 + s.openLoad.P4;
  // The spans come from the gateway's own shift rules (see shifts.ts); asking luxon at every decision
  // instead (the shift clock) cost most of a run's time.
  const isOnShift = (tech: SimTech) => {
    const spans = tech.spans;
    if (spans === null) return true;
    while (tech.span < spans.length && (spans[tech.span] as [number, number])[1] <= now) tech.span++;
    const current = spans[tech.span];
    return current !== undefined && current[0] <= now;
  };
  const hasRoom = (tech: SimTech) => openCount(tech.snapshot) < tech.snapshot.maxLoad && isOnShift(tech);

  /** Inhomogeneous Poisson: unit-exponential "work" spent across hours at each hour's rate. */
  function nextArrival(s: Stream, from: number): number | null {
    let need = exponential(arrivalsRandom, 1);
    let t = from;
    while (t < end) {
      const hour = Math.floor((t - start) / HOUR);
      const rate = s.rates[hour % 168] ?? 0;
      const hourEnd = start + (hour + 1) * HOUR;
      const available = (rate * (hourEnd - t)) / HOUR;
      if (available >= need) return t + (need / rate) * HOUR;
      need -= available;
      t = hourEnd;
    }
    return null;
  }

  function enqueue(ticket: SimTicket): void {
    if (ticket.inLane) return;
    const lane = ticket.lane;
    // Arrivals come in order; a ticket back from a decline goes to its place by age.
    let at = lane.items.length;
    while (at > lane.head && policy.order(ticket, lane.items[at - 1] as SimTicket) < 0) at--;
    lane.items.splice(at, 0, ticket);
    ticket.inLane = true;
  }

  function route(ticket: SimTicket): boolean {
    const snapshots = snapshotsByTier.get(ticket.tier);
    const list = byTier.get(ticket.tier);
    let chosen: number | null = null;
    if (snapshots && list) {
      for (const tech of list) {
        tech.snapshot.onShift = isOnShift(tech);
        tech.snapshot.declined = ticket.declined?.has(tech.id) ?? false;
      }
      const wanted: TicketForAssignment = { priority: ticket.priority, tier: ticket.tier, requiredSkills: ticket.required };
      chosen = policy.choose(wanted, snapshots);
    }
    const tech = chosen === null ? undefined : techs[chosen];
    if (tech === undefined) {
      enqueue(ticket);
      return false;
    }
    offer(ticket, tech);
    return true;
  }

  function offer(ticket: SimTicket, tech: SimTech): void {
    tech.snapshot.openLoad[ticket.priority]++;
    tech.snapshot.lastAssignedAt = new Date(now);
    ticket.state = 'offered';
    if (offersTakenAtOnce) return accept(ticket, tech);
    const timeoutAt = offerDeadlines(new Date(now), ticket.priority, offerTimeouts).expiresAt.getTime();
    const declines = offersRandom() < declineProbability;
    const answerAt = now + exponential(offersRandom, acceptMeanMs);
    if (answerAt >= timeoutAt) queue.push(timeoutAt, { kind: 'reply', ticket, tech, accepted: false });
    else queue.push(answerAt, { kind: 'reply', ticket, tech, accepted: !declines });
  }

  function accept(ticket: SimTicket, tech: SimTech): void {
    ticket.state = 'working';
    ticket.startedAt = now;
    working.set(ticket, tech);
    queue.push(now + ticket.handlingMs, { kind: 'done', ticket, tech });
  }

  /** The first waiting ticket of a lane this technician has not declined, dropping finished entries. */
  function laneHead(lane: Lane, tech: SimTech): SimTicket | null {
    while (lane.head < lane.items.length && (lane.items[lane.head] as SimTicket).state !== 'waiting') {
      (lane.items[lane.head] as SimTicket).inLane = false;
      lane.head++;
    }
    if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
      lane.items.splice(0, lane.head);
      lane.head = 0;
    }
    for (let i = lane.head; i < lane.items.length; i++) {
      const t = lane.items[i] as SimTicket;
      if (t.state === 'waiting' && !t.declined?.has(tech.id)) return t;
    }
    return null;
  }

  /** The gateway's drain: waiting tickets this technician could take, in queue order, each routed as usual. */
  function drain(tech: SimTech): void {
    while (hasRoom(tech)) {
      let best: SimTicket | null = null;
      for (const key of tech.keys) {
        for (const lane of key.lanes) {
          const head = laneHead(lane, tech);
          if (head && (best === null || policy.order(head, best) < 0)) best = head;
        }
      }
      if (best === null || !route(best)) return;
    }
  }

  function handle(event: SimEvent): void {
    switch (event.kind) {
      case 'arrival': {
        const s = streams[event.stream] as Stream;
        const createdAt = new Date(now);
        const ticket: SimTicket = {
          number: outcomes.length + 1,
          arrivedAt: now,
          createdAt,
          priority: s.priority,
          tier: s.tier,
          required: s.required,
          lane: s.key.lanes[priorityIndex(s.priority)] as Lane,
          handlingMs: exponential(arrivalsRandom, s.handlingMs),
          state: 'waiting',
          inLane: false,
          queued: false,
          startedAt: null,
          declined: null,
        };
        outcomes.push(ticket);
        if (!route(ticket)) ticket.queued = true;
        const next = nextArrival(s, now);
        if (next !== null) queue.push(next, event);
        return;
      }
      case 'reply': {
        const { ticket, tech } = event;
        if (event.accepted) return accept(ticket, tech);
        tech.snapshot.openLoad[ticket.priority]--;
        (ticket.declined ??= new Set()).add(tech.id);
        ticket.state = 'waiting';
        route(ticket);
        drain(tech);
        return;
      }
      case 'done': {
        const { ticket, tech } = event;
        ticket.state = 'done';
        working.delete(ticket);
        tech.busyMs += Math.max(0, Math.min(now, end) - Math.max(ticket.startedAt ?? now, start));
        tech.snapshot.openLoad[ticket.priority]--;
        drain(tech);
        return;
      }
      case 'shift': {
        const { tech } = event;
        drain(tech);
        const next = tech.spans?.[event.span + 1];
        if (next) queue.push(next[0], { kind: 'shift', tech, span: event.span + 1 });
      }
    }
  }

  streams.forEach((s, i) => {
    const first = nextArrival(s, start);
    if (first !== null) queue.push(first, { kind: 'arrival', stream: i });
  });
  for (const tech of techs) {
    const first = tech.spans?.[0];
    if (first) queue.push(first[0], { kind: 'shift', tech, span: 0 });
  }
  for (;;) {
    const next = queue.pop();
    if (next === undefined || next.at > stopAt) break;
    now = next.at;
    events++;
    handle(next.event);
  }
  // Tickets still in hand when the run stopped: their time until the last day counts.
  for (const [ticket, tech] of working) tech.busyMs += Math.max(0, end - Math.max(ticket.startedAt ?? end, start));

  const tiers = new Map<Tier, { busyMs: number; onShiftMs: number }>();
  for (const tech of techs) {
    const tier = tiers.get(tech.snapshot.tier) ?? { busyMs: 0, onShiftMs: 0 };
    tier.busyMs += tech.busyMs;
    tier.onShiftMs += tech.snapshot.maxLoad * (tech.spans ? overlapMs(tech.spans, start, end) : end - start);
    tiers.set(tech.snapshot.tier, tier);
  }
  /**
   * Started by the response due date (dueDates: the targets and the desk's calendar). A business
   * minute is never shorter than a real one, so a wait within the target in real minutes is within it
   * in business minutes too: the calendar walk (most of a run's time otherwise) is left to the rest.
   */
  function startedInTime(t: SimTicket, startedAt: number): boolean {
    if (startedAt - t.arrivedAt <= slaTargets[t.priority].responseMinutes * 60_000) return true;
    return startedAt <= dueDates(t.createdAt, t.priority, calendar, slaTargets).respondBy.getTime();
  }
  const priorities = PRIORITIES.filter((p) => streams.some((s) => s.priority === p));
  return {
    policy: policy.name,
    seed,
    days: scenario.days,
    priorities,
    outcomes: outcomes.map((t) => ({
      arrivedAt: t.arrivedAt - start,
      priority: t.priority,
      tier: t.tier,
      waitSeconds: t.startedAt === null ? null : (t.startedAt - t.arrivedAt) / 1000,
      queued: t.queued,
      withinSla: t.startedAt !== null && startedInTime(t, t.startedAt),
    })),
    tiers,
    events,
  };
}

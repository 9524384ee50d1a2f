import type { Priority, TicketStatus } from '../domain/values.js';
import { addBusinessMinutes, alwaysOpen, businessMinutesBetween, type BusinessCalendar } from './calendar.js';
import { nextShiftStart, offerDeadlines, onShift, type Shift } from './offers.js';
import type { OfferRules } from './rules-schemas.js';
import { SLA_WARNING_RATIO, type SlaTargets } from './sla.js';

/**
 * When each timer of routing fires, and under which job id. Pure: the worker turns these into bull
 * delayed jobs. An id names the timer and the instant it fires, so scheduling one twice (a restart,
 * a second worker, the periodic planner) adds nothing, while a moved deadline is a new timer; the
 * handler of an outdated one re-reads the ticket and finds nothing to do.
 */
export type SlaClock = 'response' | 'resolution';

export type TimerData =
  | { kind: 'offer-expiry'; ticketId: string; offeredAt: number; at: number }
  | { kind: 'offer-reminder'; ticketId: string; offeredAt: number; n: number; at: number }
  | { kind: 'sla-warning'; ticketId: string; clock: SlaClock; at: number }
  | { kind: 'sla-breach'; ticketId: string; clock: SlaClock; at: number }
  | { kind: 'shift-start'; technicianId: string; at: number };

export type TimerKind = TimerData['kind'];
export const TIMER_KINDS: readonly TimerKind[] = ['offer-expiry', 'offer-reminder', 'sla-warning', 'sla-breach', 'shift-start'];

export interface TimerJob {
  id: string;
  at: Date;
  data: TimerData;
}

function job(data: TimerData): TimerJob {
  const subject = 'ticketId' in data ? data.ticketId : data.technicianId;
  const parts: (string | number)[] = [data.kind, subject];
  if ('offeredAt' in data) parts.push(data.offeredAt);
  if ('n' in data) parts.push(data.n);
  if ('clock' in data) parts.push(data.clock);
  parts.push(data.at);
  return { id: parts.join(':'), at: new Date(data.at), data };
}

/**
 * Reminders of one offer: once at the reminder ratio; a P1 offer is texted again every
 * `p1RepeatMinutes` until it is answered or times out.
 */
export function reminderTimes(offeredAt: Date, priority: Priority, rules: OfferRules): Date[] {
  const { remindAt, expiresAt } = offerDeadlines(offeredAt, priority, rules.timeouts, rules.reminderRatio);
  const times = [remindAt];
  if (priority !== 'P1') return times;
  const step = rules.p1RepeatMinutes * 60_000;
  for (let at = remindAt.getTime() + step; at < expiresAt.getTime() && times.length < 100; at += step) times.push(new Date(at));
  return times;
}

export interface OfferInput {
  ticketId: string;
  priority: Priority;
  offeredAt: Date;
  /** Reminders already sent for this offer: the next one is scheduled. */
  remindersSent: number;
}

/** The expiry of an offer and its next reminder (chained: each reminder schedules the one after). */
export function offerTimers(offer: OfferInput, rules: OfferRules): TimerJob[] {
  const offeredAt = offer.offeredAt.getTime();
  const { expiresAt } = offerDeadlines(offer.offeredAt, offer.priority, rules.timeouts, rules.reminderRatio);
  const jobs = [job({ kind: 'offer-expiry', ticketId: offer.ticketId, offeredAt, at: expiresAt.getTime() })];
  const next = reminderTimes(offer.offeredAt, offer.priority, rules)[offer.remindersSent];
  if (next && next < expiresAt) {
    jobs.push(job({ kind: 'offer-reminder', ticketId: offer.ticketId, offeredAt, n: offer.remindersSent, at: next.getTime() }));
  }
  return jobs;
}

export interface SlaInputTicket {
  id: string;
  status: TicketStatus;
  priority: Priority;
  createdAt: Date;
  respondBy: Date | null;
  resolveBy: Date | null;
  respondedAt: Date | null;
  pausedAt: Date | null;
}

/** What already happened to a ticket's clocks, from its events. */
export interface SlaHistory {
  /** `<clock>:<priority>` of each warning sent: one per clock and priority (an escalation earns a new one). */
  warned: ReadonlySet<string>;
  breached: ReadonlySet<SlaClock>;
}

const RUNNING: readonly TicketStatus[] = ['new', 'assigned', 'in_progress'];

/** Clocks still counting: open, not waiting on the requester (`pending` stops them), not yet met. */
export function runningClocks(t: SlaInputTicket): { clock: SlaClock; due: Date }[] {
  if (!RUNNING.includes(t.status) || t.pausedAt) return [];
  const clocks: { clock: SlaClock; due: Date }[] = [];
  if (!t.respondedAt && t.respondBy) clocks.push({ clock: 'response', due: t.respondBy });
  if (t.resolveBy) clocks.push({ clock: 'resolution', due: t.resolveBy });
  return clocks;
}

/**
 * The warning instant of a clock due at `due`: when the business time left is (1 − ratio) of the
 * target. Without pauses this is slaSchedule's 75% point; a pause pushed `due` out, and pushes the
 * warning out with it. Counted on the clock's own calendar (P1: around the clock).
 */
export function warningAt(
  cal: BusinessCalendar,
  createdAt: Date,
  due: Date,
  targetMinutes: number,
  aroundTheClock: boolean,
  ratio = SLA_WARNING_RATIO,
): Date {
  const c = aroundTheClock ? alwaysOpen(cal.timezone) : cal;
  const span = businessMinutesBetween(c, createdAt, due);
  return addBusinessMinutes(c, createdAt, Math.max(0, span - (1 - ratio) * targetMinutes));
}

/** A clock's warning and breach timers; warnings are skipped once that clock has breached. */
export function slaTimers(t: SlaInputTicket, cal: BusinessCalendar, targets: SlaTargets, history: SlaHistory): TimerJob[] {
  const target = targets[t.priority];
  const jobs: TimerJob[] = [];
  for (const { clock, due } of runningClocks(t)) {
    if (history.breached.has(clock)) continue;
    jobs.push(job({ kind: 'sla-breach', ticketId: t.id, clock, at: due.getTime() }));
    if (history.warned.has(`${clock}:${t.priority}`)) continue;
    const minutes = clock === 'response' ? target.responseMinutes : target.resolutionMinutes;
    const warn = warningAt(cal, t.createdAt, due, minutes, target.aroundTheClock);
    if (warn < due) jobs.push(job({ kind: 'sla-warning', ticketId: t.id, clock, at: warn.getTime() }));
  }
  return jobs;
}

/** The next shift start of an available technician who is off shift now; none otherwise. */
export function shiftTimer(technician: { id: string; shift: Shift; available: boolean }, now: Date, timezone: string): TimerJob | null {
  if (!technician.available || !technician.shift || onShift(technician.shift, now, timezone)) return null;
  const at = nextShiftStart(technician.shift, now, timezone);
  return job({ kind: 'shift-start', technicianId: technician.id, at: at.getTime() });
}

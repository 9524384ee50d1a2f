import type { Priority } from '../domain/values.js';
import { addBusinessMinutes, alwaysOpen, businessMinutesBetween, type BusinessCalendar } from './calendar.js';

export interface SlaTarget {
  responseMinutes: number;
  resolutionMinutes: number;
  /** Counted on every real minute rather than the desk's business hours (P1). */
  aroundTheClock: boolean;
}

export type SlaTargets = Record<Priority, SlaTarget>;

export const DEFAULT_SLA_TARGETS: SlaTargets = {
  P1: { responseMinutes: 15, resolutionMinutes: 4 * 60, aroundTheClock: true },
  P2: { responseMinutes: 60, resolutionMinutes: 8 * 60, aroundTheClock: false },
  P3: { responseMinutes: 4 * 60, resolutionMinutes: 24 * 60, aroundTheClock: false },
  P4: { responseMinutes: 8 * 60, resolutionMinutes: 40 * 60, aroundTheClock: false },
};

/**
 * A service request's clocks (#17), whatever its priority: it is something asked for, not something
 * broken, so a working day to answer and a working week to fulfil. They start when it is approved.
 */
const REQUEST_TARGET: SlaTarget = { responseMinutes: 8 * 60, resolutionMinutes: 40 * 60, aroundTheClock: false };
export const DEFAULT_REQUEST_SLA_TARGETS: SlaTargets = { P1: REQUEST_TARGET, P2: REQUEST_TARGET, P3: REQUEST_TARGET, P4: REQUEST_TARGET };

export const SLA_WARNING_RATIO = 0.75;

/** A period the ticket waited on its requester (`pending`); `to` absent while it still waits. */
export interface Pause {
  from: Date;
  to?: Date | null | undefined;
}

function clock(cal: BusinessCalendar, aroundTheClock: boolean): BusinessCalendar {
  return aroundTheClock ? alwaysOpen(cal.timezone) : cal;
}

export interface DueDates {
  respondBy: Date;
  resolveBy: Date;
}

/** Due dates of a ticket that has not been paused; see dueDateWithPauses for one that has. */
export function dueDates(createdAt: Date, priority: Priority, cal: BusinessCalendar, targets: SlaTargets = DEFAULT_SLA_TARGETS): DueDates {
  const target = targets[priority];
  const c = clock(cal, target.aroundTheClock);
  return {
    respondBy: addBusinessMinutes(c, createdAt, target.responseMinutes),
    resolveBy: addBusinessMinutes(c, createdAt, target.resolutionMinutes),
  };
}

/** Sorted, merged, clipped to [start, end): overlapping records must not stop the clock twice. */
function normalizePauses(pauses: readonly Pause[], start: number, end: number): [number, number][] {
  const spans = pauses
    .map((p): [number, number] => [Math.max(p.from.getTime(), start), Math.min(p.to?.getTime() ?? end, end)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** Business minutes the clock ran between `start` and `now`, pauses excluded. */
export function elapsedBusinessMinutes(
  cal: BusinessCalendar,
  start: Date,
  now: Date,
  pauses: readonly Pause[],
  aroundTheClock: boolean,
): number {
  const c = clock(cal, aroundTheClock);
  let total = businessMinutesBetween(c, start, now);
  for (const [a, b] of normalizePauses(pauses, start.getTime(), now.getTime())) {
    total -= businessMinutesBetween(c, new Date(a), new Date(b));
  }
  return Math.max(0, total);
}

/**
 * Pushes a due date out by the business time a finished pause took from it: what was left at the
 * pause's start is counted again from its end. A pause that began after the due date changes nothing.
 */
export function resolveByAfterPause(cal: BusinessCalendar, due: Date, pause: { from: Date; to: Date }, aroundTheClock: boolean): Date {
  if (pause.from.getTime() >= due.getTime() || pause.to.getTime() <= pause.from.getTime()) return due;
  const c = clock(cal, aroundTheClock);
  const remaining = businessMinutesBetween(c, pause.from, due);
  return addBusinessMinutes(c, pause.to, remaining);
}

/**
 * The due date of a target counted from `start` with every pause applied, for rebuilding timers
 * from the database. Null while a pause that began before the due date is still open: a stopped
 * clock has no deadline.
 */
export function dueDateWithPauses(
  cal: BusinessCalendar,
  start: Date,
  targetMinutes: number,
  pauses: readonly Pause[],
  aroundTheClock: boolean,
): Date | null {
  const c = clock(cal, aroundTheClock);
  let due = addBusinessMinutes(c, start, targetMinutes);
  for (const [from, to] of normalizePauses(pauses, start.getTime(), Number.POSITIVE_INFINITY)) {
    if (from >= due.getTime()) break;
    if (to === Number.POSITIVE_INFINITY) return null;
    due = resolveByAfterPause(c, due, { from: new Date(from), to: new Date(to) }, aroundTheClock);
  }
  return due;
}

export interface SlaSchedule {
  respondBy: Date | null;
  resolveBy: Date | null;
  responseWarningAt: Date | null;
  resolutionWarningAt: Date | null;
}

/** Every instant a timer should fire at, pauses applied (null: clock stopped by an open pause). */
export function slaSchedule(
  createdAt: Date,
  priority: Priority,
  cal: BusinessCalendar,
  pauses: readonly Pause[] = [],
  targets: SlaTargets = DEFAULT_SLA_TARGETS,
  warningRatio: number = SLA_WARNING_RATIO,
): SlaSchedule {
  const t = targets[priority];
  const at = (minutes: number) => dueDateWithPauses(cal, createdAt, minutes, pauses, t.aroundTheClock);
  return {
    respondBy: at(t.responseMinutes),
    resolveBy: at(t.resolutionMinutes),
    responseWarningAt: at(t.responseMinutes * warningRatio),
    resolutionWarningAt: at(t.resolutionMinutes * warningRatio),
  };
}

export interface SlaInput {
  cal: BusinessCalendar;
  createdAt: Date;
  now: Date;
  priority: Priority;
  pauses?: readonly Pause[];
  /** The first answer to the requester; stops the response clock. */
  respondedAt?: Date | null;
  /** Stops both clocks (a resolution answers too). */
  resolvedAt?: Date | null;
  targets?: SlaTargets;
  warningRatio?: number;
}

export interface SlaState {
  responseElapsedMinutes: number;
  resolutionElapsedMinutes: number;
  responseElapsedRatio: number;
  resolutionElapsedRatio: number;
  /** A clock still running is at or past the warning ratio (75%): someone should look now. */
  warning: boolean;
  responseBreached: boolean;
  resolutionBreached: boolean;
  breached: boolean;
}

export function slaState(input: SlaInput): SlaState {
  const target = (input.targets ?? DEFAULT_SLA_TARGETS)[input.priority];
  const warningRatio = input.warningRatio ?? SLA_WARNING_RATIO;
  const pauses = input.pauses ?? [];
  const resolutionEnd = input.resolvedAt ?? null;
  const responseEnd = input.respondedAt ?? resolutionEnd;

  const measure = (end: Date | null, targetMinutes: number) => {
    const running = end === null;
    const elapsed = elapsedBusinessMinutes(input.cal, input.createdAt, end ?? input.now, pauses, target.aroundTheClock);
    const ratio = targetMinutes > 0 ? elapsed / targetMinutes : running ? 1 : 0;
    // A running clock is breached the moment its deadline arrives (that is when the timer fires);
    // one that stopped exactly on the deadline met it.
    const breached = running ? ratio >= 1 : ratio > 1;
    return { elapsed, ratio, breached, warn: running && ratio >= warningRatio };
  };

  const response = measure(responseEnd, target.responseMinutes);
  const resolution = measure(resolutionEnd, target.resolutionMinutes);
  return {
    responseElapsedMinutes: response.elapsed,
    resolutionElapsedMinutes: resolution.elapsed,
    responseElapsedRatio: response.ratio,
    resolutionElapsedRatio: resolution.ratio,
    warning: response.warn || resolution.warn,
    responseBreached: response.breached,
    resolutionBreached: resolution.breached,
    breached: response.breached || resolution.breached,
  };
}

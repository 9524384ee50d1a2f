import type { Priority } from '../domain/values.js';
import { parseBusinessHours, type BusinessHours } from '../config/business-hours.js';
import { isOpen, nextOpening } from './calendar.js';

/** Minutes a technician has to ACCEPT an offer before it moves on. */
export type OfferTimeouts = Record<Priority, number>;

export const DEFAULT_OFFER_TIMEOUTS: OfferTimeouts = { P1: 5, P2: 10, P3: 20, P4: 30 };

/** Fraction of the timeout after which the technician is reminded once. */
export const DEFAULT_REMINDER_RATIO = 0.5;

export interface OfferDeadlines {
  remindAt: Date;
  expiresAt: Date;
}

/**
 * Offer timeouts run on the wall clock: a technician on shift is expected to answer whatever the
 * desk's business hours say.
 */
export function offerDeadlines(
  offeredAt: Date,
  priority: Priority,
  timeouts: OfferTimeouts = DEFAULT_OFFER_TIMEOUTS,
  reminderRatio: number = DEFAULT_REMINDER_RATIO,
): OfferDeadlines {
  const ms = timeouts[priority] * 60_000;
  const start = offeredAt.getTime();
  return { remindAt: new Date(start + Math.round(ms * reminderRatio)), expiresAt: new Date(start + ms) };
}

/** A shift as stored on the technician: the business-hours text, or already parsed; absent means always. */
export type Shift = string | BusinessHours | null | undefined;

const parsedShifts = new Map<string, BusinessHours>();
const SHIFT_CACHE_LIMIT = 1000;

/**
 * Same grammar as HELPDESK_BUSINESS_HOURS. Throws on a malformed shift; the API validates with this
 * before storing, so routing never meets one.
 */
export function parseShift(shift: Shift): BusinessHours {
  if (shift === null || shift === undefined || (typeof shift === 'string' && shift.trim() === '')) {
    return { kind: 'always' };
  }
  if (typeof shift !== 'string') return shift;
  let hours = parsedShifts.get(shift);
  if (!hours) {
    hours = parseBusinessHours(shift);
    // Routing checks every technician's shift on every decision; parse each distinct text once.
    if (parsedShifts.size >= SHIFT_CACHE_LIMIT) parsedShifts.clear();
    parsedShifts.set(shift, hours);
  }
  return hours;
}

export function onShift(shift: Shift, at: Date, timezone: string): boolean {
  const hours = parseShift(shift);
  if (hours.kind === 'always') return true;
  return isOpen({ timezone, hours, holidays: [] }, at);
}

/** When an off-shift technician comes on (`at` itself if on shift): the moment to retry the queue. */
export function nextShiftStart(shift: Shift, at: Date, timezone: string): Date {
  return nextOpening({ timezone, hours: parseShift(shift), holidays: [] }, at);
}

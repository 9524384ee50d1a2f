import { DateTime } from 'luxon';
import { AppError } from '../errors.js';

const DAY = 24 * 3600 * 1000;

export interface PeriodQuery {
  from?: string | undefined;
  to?: string | undefined;
}

export interface PeriodRules {
  timezone: string;
  /** Without `from`: this many days before `to`. */
  defaultDays: number;
  /** A longer range is refused, naming `from`. */
  maxDays?: number;
}

/**
 * The `from`/`to` of a report, as people type them: a moment (`2026-01-01T08:00Z`) as given, or a
 * day alone, from its start to its end in the desk's time zone. `to` defaults to now.
 */
export function readPeriod(query: PeriodQuery, { timezone, defaultDays, maxDays }: PeriodRules): { from: Date; to: Date } {
  const to = query.to ? boundary(query.to, 'end', timezone) : new Date();
  const from = query.from ? boundary(query.from, 'start', timezone) : new Date(to.getTime() - defaultDays * DAY);
  if (from >= to) throw new AppError('VALIDATION_FAILED', 'from: must be before to', { field: 'from' });
  if (maxDays !== undefined && to.getTime() - from.getTime() > maxDays * DAY) {
    throw new AppError('VALIDATION_FAILED', `from: the range may span at most ${maxDays} days`, { field: 'from' });
  }
  return { from, to };
}

function boundary(value: string, edge: 'start' | 'end', timezone: string): Date {
  const field = edge === 'start' ? 'from' : 'to';
  const day = value.includes('T') ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone: timezone });
  if (!day.isValid) throw new AppError('VALIDATION_FAILED', `${field}: ${value} is not a date`, { field });
  return (edge === 'end' && !value.includes('T') ? day.plus({ days: 1 }) : day).toJSDate();
}

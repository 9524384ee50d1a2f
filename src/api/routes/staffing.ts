import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parseTarget } from '../../staffing/erlang-c.js';
import { DEFAULT_AHT_SECONDS, hourOfWeekOccurrences, staffingByHourOfWeek } from '../../staffing/desk-staffing.js';
import type { Store } from '../../store/index.js';
import { route, type Route } from '../route.js';
import { statsQuery } from '../schemas.js';
import { boundary } from './desk.js';

const DAY = 24 * 3600 * 1000;
/** Four weeks: every hour of the week seen four times. */
const DEFAULT_SPAN_DAYS = 28;
/** A longer range adds nothing Erlang C uses and costs an hour-by-hour walk. */
const MAX_SPAN_DAYS = 366;

const staffingQuery = statsQuery.extend({
  target: z
    .string()
    .max(20)
    .refine((t) => parseTarget(t) !== null, { message: 'expected a service level like 80/20 (80% answered within 20 seconds)' })
    .meta({ description: 'percent answered within seconds, default 80/20' })
    .optional(),
});

/** Erlang C from the desk's own arrivals by hour of the week: how many technicians each hour needs. */
export function staffingRoutes(store: Store, timezone: string): Route[] {
  return [
    route<Record<string, string>, z.infer<typeof staffingQuery>>({
      method: 'get',
      path: '/staffing',
      tag: 'stats',
      summary: 'Technicians needed per hour of the week (Erlang C) from the arrivals of the range (default: the last 4 weeks)',
      access: 'coordinator',
      query: staffingQuery,
      async handler({ query }) {
        const to = query.to ? boundary(query.to, 'end', timezone) : new Date();
        const from = query.from ? boundary(query.from, 'start', timezone) : new Date(to.getTime() - DEFAULT_SPAN_DAYS * DAY);
        if (from >= to) throw new AppError('VALIDATION_FAILED', 'from: must be before to', { field: 'from' });
        if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY) {
          throw new AppError('VALIDATION_FAILED', `from: the range may span at most ${MAX_SPAN_DAYS} days`, { field: 'from' });
        }
        const target = parseTarget(query.target ?? '80/20') ?? { share: 0.8, seconds: 20 };
        const [counts, aht] = await Promise.all([
          store.staffing.arrivalsByHourOfWeek(from, to, timezone),
          store.staffing.meanHandlingSeconds(from, to),
        ]);
        const ahtSeconds = aht !== null && aht > 0 ? aht : DEFAULT_AHT_SECONDS;
        return { body: { items: staffingByHourOfWeek(counts, hourOfWeekOccurrences(from, to, timezone), ahtSeconds, target) } };
      },
    }),
  ];
}

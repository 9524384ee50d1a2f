import { z } from 'zod';
import { parseTarget } from '../../staffing/erlang-c.js';
import { DEFAULT_AHT_SECONDS, hourOfWeekOccurrences, staffingByHourOfWeek } from '../../staffing/desk-staffing.js';
import type { Store } from '../../store/index.js';
import { readPeriod } from '../period.js';
import { route, type Route } from '../route.js';
import { statsQuery } from '../schemas.js';

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
        const { from, to } = readPeriod(query, { timezone, defaultDays: DEFAULT_SPAN_DAYS, maxDays: MAX_SPAN_DAYS });
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

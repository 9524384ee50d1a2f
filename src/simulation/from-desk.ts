import type { BusinessHours } from '../config/business-hours.js';
import type { Priority } from '../domain/values.js';
import type { RoutingRules } from '../rules/rules-book.js';
import type { ArrivalCount, DeskTechnician } from '../store/staffing-queries.js';
import type { Scenario } from './scenario.js';

/** A ticket opened without a category needs no skill: anyone of tier 1 may take it. */
const UNCATEGORISED = 'uncategorised';

export interface DeskHistory {
  counts: readonly ArrivalCount[];
  /** How often each hour of the week occurred in the range (hourOfWeekOccurrences). */
  occurrences: readonly number[];
  ahtSeconds: number;
  technicians: readonly DeskTechnician[];
  /** The desk's routing rules as the gateway reads them (its rules book). */
  rules: Pick<RoutingRules, 'categories' | 'slaTargets' | 'offers' | 'loadWeights' | 'calendar'>;
  timezone: string;
  businessHours: BusinessHours;
  days: number;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Business hours back into the text HELPDESK_BUSINESS_HOURS reads, for a scenario a person can edit. */
export function businessHoursText(hours: BusinessHours): string {
  if (hours.kind === 'always' || hours.windows.length === 0) return 'always';
  return hours.windows.map((w) => `${DAYS[w.weekday - 1] ?? 'mon'} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)}`).join('; ');
}

/**
 * The desk's last weeks as a scenario: one arrival stream per channel, category and priority seen,
 * its 168 hourly rates the counts divided by how often each hour occurred; the handling time of
 * resolved tickets; the technicians, categories and routing rules as they are now.
 */
export function scenarioFromDesk(history: DeskHistory): Scenario {
  const streams = new Map<string, { channel: ArrivalCount['channel']; category: string; priority: Priority; perHour: number[] }>();
  for (const c of history.counts) {
    const category = c.category ?? UNCATEGORISED;
    const name = `${c.channel}|${category}|${c.priority}`;
    let s = streams.get(name);
    if (!s) {
      s = { channel: c.channel, category, priority: c.priority, perHour: new Array<number>(168).fill(0) };
      streams.set(name, s);
    }
    const seen = history.occurrences[c.hourOfWeek] ?? 0;
    if (seen > 0) s.perHour[c.hourOfWeek] = (s.perHour[c.hourOfWeek] ?? 0) + c.count / seen;
  }
  return {
    days: history.days,
    arrivals: [...streams.values()].map((s) => ({
      ...s,
      perHour: s.perHour.map((r) => Number(r.toFixed(4))),
      handlingSeconds: Math.max(1, Math.round(history.ahtSeconds)),
    })),
    technicians: history.technicians.map((t) => ({
      name: t.name,
      tier: t.tier,
      skills: t.skills,
      maxLoad: t.maxLoad,
      ...(t.shift ? { shift: t.shift } : {}),
    })),
    categories: [
      ...history.rules.categories.map((c) => ({ name: c.name, skills: [...c.skills], startTier: c.startTier })),
      { name: UNCATEGORISED, skills: [], startTier: 1 },
    ],
    rules: {
      slaTargets: history.rules.slaTargets,
      offerTimeoutMinutes: history.rules.offers.timeouts,
      loadWeights: history.rules.loadWeights,
      holidays: [...history.rules.calendar.holidays],
    },
    timezone: history.timezone,
    businessHours: businessHoursText(history.businessHours),
  };
}

import { DateTime } from 'luxon';
import type { Language } from '../../../domain/values.js';
import type { BacklogAge } from '../../../store/stats-repository.js';
import type { StatsSums } from '../../../store/stats-series.js';
import { html, type Html } from '../../html.js';
import { common, formatDuration } from '../../i18n.js';
import { bucketOf, hours, percent, pointsOf, type DaySums, type Point } from './series.js';
import type { Words } from './texts.js';

/** What stats.js draws, and the table the same numbers stand in for those who cannot see a canvas. */
export interface ChartSpec {
  id: string;
  type: 'time' | 'bars';
  unit: 'count' | 'hours' | 'percent';
  title: string;
  /** The heading of the table's first column: what each x is. */
  column: string;
  /** Seconds since the epoch for a time chart; 0, 1, 2… for bars. */
  x: number[];
  /** What each x is called in the table (and under a bar). */
  ticks: string[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

export const CHANNELS = ['voice', 'email', 'sms', 'web'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
/** The backlog's age buckets, upper bounds in days. */
export const AGE_LIMITS = [1, 3, 7, 30];
const TOP_CATEGORIES = 8;

export interface ChartInput {
  lang: Language;
  timezone: string;
  from: Date;
  to: Date;
  days: DaySums[];
  /** The sums of every day of the period. */
  total: StatsSums;
  backlog: BacklogAge[];
}

function tickOf(start: DateTime, lang: Language): string {
  return start.setLocale(lang).toLocaleString(DateTime.DATE_MED);
}

const seconds = (points: Point[]) => points.map((p) => Math.round(p.start.toSeconds()));

function categoryName(key: string, t: Words): string {
  return key === 'uncategorised' ? t.uncategorised : key;
}

/** The charts of the page, in the order they are shown. */
export function chartsOf(input: ChartInput, t: Words): ChartSpec[] {
  const c = common(input.lang);
  const bucket = bucketOf(input.from, input.to);
  const week = bucket === 'week';
  const days = pointsOf(input.days, input.timezone, 'day');
  const trend = pointsOf(input.days, input.timezone, bucket);
  const { total } = input;
  const scores = ['1', '2', '3', '4', '5'];
  const categories = Object.entries(total.byCategory)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, TOP_CATEGORIES);
  const ages = AGE_LIMITS.map((high, i) => t.ageBucket(i === 0 ? null : (AGE_LIMITS[i - 1] ?? 0), high)).concat(
    t.ageBucket(AGE_LIMITS[AGE_LIMITS.length - 1] ?? 0, null),
  );
  return [
    {
      id: 'volume',
      type: 'time',
      unit: 'count',
      title: t.volumeTitle,
      column: t.day,
      x: seconds(days),
      ticks: days.map((p) => tickOf(p.start, input.lang)),
      series: CHANNELS.map((channel) => ({ label: c[`channel_${channel}`], values: days.map((p) => p.sums.byChannel[channel] ?? 0) })),
    },
    {
      id: 'times',
      type: 'time',
      unit: 'hours',
      title: week ? t.timesTitleWeek : t.timesTitleDay,
      column: week ? t.week : t.day,
      x: seconds(trend),
      ticks: trend.map((p) => tickOf(p.start, input.lang)),
      series: [
        { label: t.mttaShort, values: trend.map((p) => hours(p.sums.respondSeconds, p.sums.responded)) },
        { label: t.mttrShort, values: trend.map((p) => hours(p.sums.resolveSeconds, p.sums.resolved)) },
      ],
    },
    {
      id: 'fcr',
      type: 'time',
      unit: 'percent',
      title: week ? t.fcrTitleWeek : t.fcrTitleDay,
      column: week ? t.week : t.day,
      x: seconds(trend),
      ticks: trend.map((p) => tickOf(p.start, input.lang)),
      series: [{ label: t.fcrShort, values: trend.map((p) => percent(p.sums.firstContact, p.sums.resolved)) }],
    },
    {
      id: 'sla',
      type: 'bars',
      unit: 'percent',
      title: t.slaTitle,
      column: t.priority,
      x: PRIORITIES.map((_, i) => i),
      ticks: PRIORITIES,
      series: [
        {
          label: t.slaShort,
          values: PRIORITIES.map((p) => percent(total.slaMet[p] ?? 0, total.slaDue[p] ?? 0)),
        },
      ],
    },
    {
      id: 'satisfaction',
      type: 'bars',
      unit: 'count',
      title: t.satisfactionTitle,
      column: t.score,
      x: scores.map((_, i) => i),
      ticks: scores,
      series: [{ label: t.answersShort, values: scores.map((s) => total.scores[s] ?? 0) }],
    },
    {
      id: 'backlog',
      type: 'bars',
      unit: 'count',
      title: t.backlogTitle,
      column: t.age,
      x: ages.map((_, i) => i),
      ticks: ages,
      series: PRIORITIES.map((p) => ({
        label: p,
        values: ages.map((_, i) => input.backlog.find((b) => b.priority === p)?.ages[i] ?? 0),
      })),
    },
    {
      id: 'categories',
      type: 'bars',
      unit: 'count',
      title: t.categoriesTitle,
      column: t.category,
      x: categories.map((_, i) => i),
      ticks: categories.map(([key]) => categoryName(key, t)),
      series: [{ label: t.tickets, values: categories.map(([, n]) => n) }],
    },
  ];
}

/** Intl formatters are costly to build and a year's tables format thousands of cells: one of each per language. */
const formatters = new Map<string, Intl.NumberFormat>();
function formatter(lang: Language, style: 'decimal' | 'percent'): Intl.NumberFormat {
  const key = `${lang}:${style}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.NumberFormat(lang, style === 'percent' ? { style, maximumFractionDigits: 1 } : { maximumFractionDigits: 2 });
    formatters.set(key, found);
  }
  return found;
}

export function formatCount(n: number, lang: Language): string {
  return formatter(lang, 'decimal').format(n);
}

export function formatRate(rate: number, lang: Language): string {
  return formatter(lang, 'percent').format(rate);
}

function cell(value: number | null, unit: ChartSpec['unit'], lang: Language, t: Words): string {
  if (value === null) return t.none;
  if (unit === 'hours') return formatDuration(value * 3600, lang);
  if (unit === 'percent') return formatRate(value / 100, lang);
  return formatCount(value, lang);
}

/**
 * A chart as a figure: its caption, the place stats.js draws in (hidden from assistive technology,
 * which reads the table instead), and the table of its numbers.
 */
export function chartFigure(spec: ChartSpec, lang: Language, t: Words): Html {
  return html`<figure class="chart-figure" id="chart-${spec.id}">
    <figcaption>${spec.title}</figcaption>
    <div class="chart" data-chart="${spec.id}" aria-hidden="true"></div>
    <details>
      <summary>${t.dataTable}</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">${spec.column}</th>
              ${spec.series.map((s) => html`<th scope="col">${s.label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${spec.ticks.map(
              (tick, i) =>
                html`<tr>
                  <th scope="row">${tick}</th>
                  ${spec.series.map((s) => html`<td>${cell(s.values[i] ?? null, spec.unit, lang, t)}</td>`)}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>
  </figure>`;
}

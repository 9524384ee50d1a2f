import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Language } from '../../domain/values.js';
import { figuresOf, type DeskStats } from '../../store/stats-repository.js';
import { addSums, emptySums, type StatsSums } from '../../store/stats-series.js';
import type { ConsoleDeps } from '../deps.js';
import { html, jsonScript, type Html } from '../html.js';
import { common, formatDuration } from '../i18n.js';
import { layout } from '../layout.js';
import { consoleRoute, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';
import { AGE_LIMITS, chartFigure, chartsOf, formatCount, formatRate } from './stats/charts.js';
import { deskDays } from './stats/series.js';
import { words, type Words } from './stats/texts.js';

const DEFAULT_DAYS = 30;
const PRESETS: Array<[days: number, label: 'last7' | 'last30' | 'last90' | 'lastYear']> = [
  [7, 'last7'],
  [30, 'last30'],
  [90, 'last90'],
  [365, 'lastYear'],
];
/** Two years of days: beyond, a chart of days is a smear, and a first look would aggregate years of tickets. */
const MAX_DAYS = 731;

const statsQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});

/** The period as the form shows it (whole days in the desk's time zone, both included), or what is wrong with it. */
interface Period {
  fromDay: string;
  toDay: string;
  errors: { from?: string; to?: string };
}

function today(timezone: string): DateTime {
  return DateTime.now().setZone(timezone).startOf('day');
}

function lastDays(days: number, timezone: string): { fromDay: string; toDay: string } {
  const end = today(timezone);
  return { fromDay: end.minus({ days: days - 1 }).toISODate() ?? '', toDay: end.toISODate() ?? '' };
}

function readDay(value: string, timezone: string): DateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const day = DateTime.fromISO(value, { zone: timezone });
  return day.isValid ? day : null;
}

function periodOf(query: z.infer<typeof statsQuery>, timezone: string, t: Words): Period & { range?: { from: Date; to: Date } } {
  const fallback = lastDays(DEFAULT_DAYS, timezone);
  const fromDay = query.from?.trim() || fallback.fromDay;
  const toDay = query.to?.trim() || fallback.toDay;
  const from = readDay(fromDay, timezone);
  const to = readDay(toDay, timezone);
  if (!from || !to) return { fromDay, toDay, errors: { ...(from ? {} : { from: t.badDate }), ...(to ? {} : { to: t.badDate }) } };
  if (from > to) return { fromDay, toDay, errors: { from: t.badOrder } };
  if (to.diff(from, 'days').days + 1 > MAX_DAYS) return { fromDay, toDay, errors: { from: t.tooLong(MAX_DAYS) } };
  // The same instants as GET /api/stats?from=<day>&to=<day>: from the first day's start to the last day's end.
  return { fromDay, toDay, errors: {}, range: { from: from.toJSDate(), to: to.plus({ days: 1 }).toJSDate() } };
}

function dateInput(name: 'from' | 'to', label: string, value: string, error: string | undefined): Html {
  return html`<p class="field">
    <label for="period-${name}">${label}</label>
    <input
      id="period-${name}"
      name="${name}"
      type="date"
      value="${value}"
      required
      ${error ? html` aria-invalid="true" aria-describedby="period-${name}-error"` : ''}
    />
    ${error ? html`<span class="error" id="period-${name}-error">${error}</span>` : ''}
  </p>`;
}

function periodForm(period: Period, timezone: string, t: Words): Html {
  return html`<form method="get" action="/stats" class="stats-period">
      <fieldset>
        <legend>${t.period}</legend>
        ${dateInput('from', t.from, period.fromDay, period.errors.from)} ${dateInput('to', t.to, period.toDay, period.errors.to)}
        <button type="submit">${t.show}</button>
      </fieldset>
    </form>
    <nav aria-label="${t.presets}" class="stats-presets">
      <ul>
        ${PRESETS.map(([days, label]) => {
          const preset = lastDays(days, timezone);
          const current = preset.fromDay === period.fromDay && preset.toDay === period.toDay;
          return html`<li>
            <a href="/stats?from=${preset.fromDay}&amp;to=${preset.toDay}" ${current ? html` aria-current="page"` : ''}>${t[label]}</a>
          </li>`;
        })}
      </ul>
    </nav>`;
}

/** Largest first, or in the keys' own order (P1 before P2) when `byKey`. */
type Order = 'largest' | 'byKey';

function countTable(
  caption: string,
  column: string,
  counts: Record<string, number>,
  name: (key: string) => string,
  lang: Language,
  order: Order = 'largest',
): Html {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => (order === 'byKey' ? a.localeCompare(b) : y - x || a.localeCompare(b)));
  return html`<table class="stats-counts">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">${column}</th>
        <th scope="col">${words(lang).tickets}</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        ([key, n]) =>
          html`<tr>
            <th scope="row">${name(key)}</th>
            <td>${formatCount(n, lang)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The numbers of GET /api/stats, readable without any script. */
function figuresSection(f: DeskStats, sums: StatsSums, lang: Language, t: Words): Html {
  const c = common(lang);
  const opened = Object.values(f.byChannel).reduce((a, b) => a + b, 0);
  const answers = Object.values(sums.scores).reduce((a, b) => a + b, 0);
  const scoreSum = Object.entries(sums.scores).reduce((total, [score, n]) => total + Number(score) * n, 0);
  const mean = answers === 0 ? null : formatCount(scoreSum / answers, lang);
  const rows: Array<[string, string, string]> = [
    ['opened', t.opened, formatCount(opened, lang)],
    ['mtta', t.mtta, f.mttaSeconds === null ? t.none : formatDuration(f.mttaSeconds, lang)],
    ['mttr', t.mttr, f.mttrSeconds === null ? t.none : formatDuration(f.mttrSeconds, lang)],
    ['fcr', t.fcr, f.firstContactResolutionRate === null ? t.none : formatRate(f.firstContactResolutionRate, lang)],
    ['tier1', t.tier1, f.tier1ResolutionRate === null ? t.none : formatRate(f.tier1ResolutionRate, lang)],
    ['self-service', t.selfService, f.selfServiceRate === null ? t.none : formatRate(f.selfServiceRate, lang)],
    ['sla', t.sla, f.slaCompliance === null ? t.none : formatRate(f.slaCompliance, lang)],
    ['satisfaction', t.satisfaction, mean === null ? t.none : `${mean} (${t.answers(answers)})`],
  ];
  const translated = (prefix: 'channel' | 'status') => (key: string) => {
    const name = `${prefix}_${key}`;
    return name in c ? String(Reflect.get(c, name)) : key;
  };
  return html`<section aria-labelledby="figures-title" class="stats-figures">
    <h2 id="figures-title">${t.figures}</h2>
    <p class="hint">${t.figuresNote}</p>
    ${opened === 0 ? html`<p>${t.noData}</p>` : ''}
    <table class="stats-summary">
      <thead>
        <tr>
          <th scope="col">${t.figure}</th>
          <th scope="col">${t.value}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ([id, label, value]) =>
            html`<tr data-figure="${id}">
              <th scope="row">${label}</th>
              <td>${value}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <div class="stats-breakdown">
      ${countTable(t.byChannel, t.channel, f.byChannel, translated('channel'), lang)}
      ${countTable(t.byType, t.type, f.byType, (key) => (key === 'request' ? t.type_request : t.type_incident), lang, 'byKey')}
      ${countTable(t.byPriority, t.priority, f.byPriority, (key) => key, lang, 'byKey')}
      ${countTable(t.byStatus, t.status, f.byStatus, translated('status'), lang)}
      ${countTable(t.byCategory, t.category, f.byCategory, (key) => (key === 'uncategorised' ? t.uncategorised : key), lang)}
    </div>
  </section>`;
}

function statsPage(viewer: Viewer, t: Words, period: Period, body: Html | null): Html {
  return layout(viewer, {
    title: t.title,
    current: 'stats',
    body: html`<h1>${t.title}</h1>
      ${periodForm(period, viewer.timezone, t)} ${body}`,
  });
}

export function statsPages(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    consoleRoute({
      method: 'get',
      path: '/stats',
      access: 'coordinator',
      query: statsQuery,
      async handler({ viewer, query }) {
        const t = words(viewer.lang);
        const period = periodOf(query, viewer.timezone, t);
        if (!period.range) return { page: statsPage(viewer, t, period, null), status: 422 };
        const { from, to } = period.range;
        const [days, backlog] = await Promise.all([
          deps.store.stats.days(deskDays(from, to, viewer.timezone), viewer.timezone),
          deps.store.stats.backlog(new Date(), AGE_LIMITS),
        ]);
        const total = days.reduce((sums, day) => addSums(sums, day.sums), emptySums());
        const charts = chartsOf({ lang: viewer.lang, timezone: viewer.timezone, from, to, days, total, backlog }, t);
        const body = html`<p>
            ${t.periodSummary(
              DateTime.fromISO(period.fromDay).setLocale(viewer.lang).toLocaleString(DateTime.DATE_FULL),
              DateTime.fromISO(period.toDay).setLocale(viewer.lang).toLocaleString(DateTime.DATE_FULL),
            )}
          </p>
          <div class="stats-layout">
            ${figuresSection(figuresOf(from, to, total), total, viewer.lang, t)}
            <section aria-labelledby="charts-title" class="stats-charts">
              <h2 id="charts-title">${t.charts}</h2>
              ${charts.map((spec) => chartFigure(spec, viewer.lang, t))}
            </section>
          </div>
          ${jsonScript('stats-data', { timezone: viewer.timezone, lang: viewer.lang, charts })}
          <link rel="stylesheet" href="/vendor/uplot.css" />
          <script src="/vendor/uplot.js" defer></script>
          <script src="/assets/stats.js" defer></script>`;
        return { page: statsPage(viewer, t, period, body) };
      },
    }),
  ];
}

import { DateTime } from 'luxon';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/console/i18n.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { checkAccessibility, openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;
let technicianToken = '';
/** A ticket left open in beforeAll, resolved while the page has been shown (its day's sums are kept). */
let vpn = 0;
/** The ticket opened twenty days ago, resolved too while the page has been shown. */
let old = 0;
/** The seven charts of the page, each a uPlot canvas. */
const CHARTS = ['volume', 'times', 'fcr', 'sla', 'satisfaction', 'backlog', 'categories'];

interface ApiStats {
  byChannel: Record<string, number>;
  mttaSeconds: number | null;
  mttrSeconds: number | null;
  firstContactResolutionRate: number | null;
  slaCompliance: number | null;
}

async function open(subject: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(bearer(COORDINATOR_TOKEN))
    .send({ subject, requester: { email: 'lea@corp.example' }, ...extra });
  expect(res.status).toBe(201);
  return res.body.number as number;
}

async function act(number: number, action: string, body: Record<string, unknown>): Promise<void> {
  const res = await request(desk.app).post(`/api/tickets/${number}/${action}`).set(bearer(COORDINATOR_TOKEN)).send(body);
  expect(res.status).toBe(200);
}

/** Whole days in the desk's time zone, as the period form takes them. */
function day(daysAgo: number): string {
  return DateTime.now().setZone(desk.config.timezone).minus({ days: daysAgo }).toISODate() ?? '';
}

async function apiStats(from: string, to: string): Promise<ApiStats> {
  const res = await request(desk.app).get(`/api/stats?from=${from}&to=${to}`).set(bearer(COORDINATOR_TOKEN));
  expect(res.status).toBe(200);
  return res.body as ApiStats;
}

async function figure(page: Page, id: string): Promise<string> {
  return ((await page.locator(`tr[data-figure="${id}"] td`).textContent()) ?? '').trim();
}

/** The page's summary says what GET /api/stats says for the same period. */
async function expectFigures(page: Page, stats: ApiStats, lang: 'en' | 'fr'): Promise<void> {
  const opened = Object.values(stats.byChannel).reduce((a, b) => a + b, 0);
  const rate = (r: number | null) =>
    r === null ? '—' : new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(r);
  expect(await figure(page, 'opened')).toBe(String(opened));
  expect(await figure(page, 'mtta')).toBe(stats.mttaSeconds === null ? '—' : formatDuration(stats.mttaSeconds, lang));
  expect(await figure(page, 'mttr')).toBe(stats.mttrSeconds === null ? '—' : formatDuration(stats.mttrSeconds, lang));
  expect(await figure(page, 'fcr')).toBe(rate(stats.firstContactResolutionRate));
  expect(await figure(page, 'sla')).toBe(rate(stats.slaCompliance));
}

async function expectCharts(page: Page): Promise<void> {
  for (const id of CHARTS) await page.locator(`[data-chart="${id}"] canvas`).waitFor({ state: 'attached', timeout: 5000 });
  expect(await page.locator('[data-chart] canvas').count()).toBe(CHARTS.length);
}

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
  const tech = await request(desk.app)
    .post('/api/technicians')
    .set(bearer(COORDINATOR_TOKEN))
    .send({ name: 'Ana Martin', email: 'ana@corp.example', tier: 1, skills: ['printing'], maxLoad: 5, available: true, onCall: false });
  expect(tech.status).toBe(201);
  technicianToken = tech.body.token;

  const printer = await open('Printer jams', { impact: 'low', urgency: 'low', category: 'printing' });
  const wifi = await open('Wi-Fi down in room B', { impact: 'high', urgency: 'high', category: 'network' });
  vpn = await open('VPN drops', { impact: 'medium', urgency: 'medium', category: 'network' });
  await open('Second monitor', { impact: 'low', urgency: 'medium', category: 'hardware' });
  old = await open('Badge does not open the car park', { impact: 'medium', urgency: 'low', category: 'access' });
  await act(printer, 'resolve', { resolution: 'Cleared the jam' });
  await act(wifi, 'escalate', { reason: 'Needs the network team' });
  await act(wifi, 'resolve', { resolution: 'Rebooted the access point' });
  // A ticket opened twenty days ago (no API call backdates one): in the last 30 days, not in the last 7.
  await desk.sequelize.query(`UPDATE tickets SET created_at = created_at - interval '20 days' WHERE number = $number`, {
    bind: { number: old },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

describe('the statistics page', () => {
  it('shows the figures of GET /api/stats for the chosen period beside seven charts, in English and French, with no console error or serious accessibility violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await signIn(page, web.base, COORDINATOR_TOKEN, 'en');

    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.waitForURL(`${web.base}/stats`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Statistics');
    // The default period: the last 30 days, today included.
    await expect(page.getByLabel('From').inputValue()).resolves.toBe(day(29));
    await expect(page.getByLabel('To').inputValue()).resolves.toBe(day(0));
    const month = await apiStats(day(29), day(0));
    expect(Object.values(month.byChannel).reduce((a, b) => a + b, 0)).toBe(5);
    await expectFigures(page, month, 'en');
    await expectCharts(page);
    expect(await checkAccessibility(page)).toEqual([]);

    // Tickets resolved since, one of today and one of twenty days ago: their days' kept sums give way to new ones.
    await act(vpn, 'resolve', { resolution: 'New VPN profile' });
    await act(old, 'resolve', { resolution: 'Badge re-encoded' });
    // Another period through the form: the URL carries it, the numbers follow it.
    await page.getByLabel('From').fill(day(6));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\/stats\?from=\d{4}-\d{2}-\d{2}&to=/);
    expect(new URL(page.url()).searchParams.get('from')).toBe(day(6));
    const week = await apiStats(day(6), day(0));
    expect(Object.values(week.byChannel).reduce((a, b) => a + b, 0)).toBe(4);
    await expectFigures(page, week, 'en');
    await expectCharts(page);
    // The chart's table says it too: one row per day, the web channel's tickets summed.
    const volumeCells = await page.locator('#chart-volume tbody tr td:nth-child(5)').allTextContents();
    expect(volumeCells).toHaveLength(7);
    expect(volumeCells.reduce((total, text) => total + Number(text), 0)).toBe(4);

    // A preset link, then French: same period kept by the language switch.
    await page.getByRole('link', { name: 'Last 90 days' }).click();
    await page.waitForURL(new RegExp(`from=${day(89)}`));
    await page.getByRole('link', { name: 'Français' }).click();
    await page.waitForURL(/lang=fr/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Statistiques');
    await expectFigures(page, await apiStats(day(89), day(0)), 'fr');
    await expect(page.getByText('Respect des SLA par priorité', { exact: false }).count()).resolves.toBe(1);
    await expectCharts(page);
    expect(await checkAccessibility(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a period that is not one, beside the field (422), and is for the coordinator only (403 for a technician)', async () => {
    const signInAs = async (token: string) => {
      const res = await request(desk.app).post('/login').type('form').send({ token });
      expect(res.status).toBe(303);
      return String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    };
    const coordinator = await signInAs(COORDINATOR_TOKEN);
    const fine = await request(desk.app)
      .get(`/stats?from=${day(5)}&to=${day(0)}&lang=en`)
      .set('Cookie', coordinator);
    expect(fine.status).toBe(200);
    const refused = await request(desk.app)
      .get(`/stats?from=${day(0)}&to=${day(5)}&lang=en`)
      .set('Cookie', coordinator);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('aria-describedby="period-from-error"');
    expect(refused.text).toContain('The start must be on or before the end.');
    const nonsense = await request(desk.app).get('/stats?from=yesterday&to=2026-02-30&lang=en').set('Cookie', coordinator);
    expect(nonsense.status).toBe(422);
    expect(nonsense.text).toContain('id="period-to-error"');

    const technician = await signInAs(technicianToken);
    expect((await request(desk.app).get('/stats').set('Cookie', technician)).status).toBe(403);
  });
});

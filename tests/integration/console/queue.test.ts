import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutingEngine } from '../../../src/routing/engine.js';
import { routeTicket } from '../../../src/routing/assign.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import {
  checkAccessibility,
  openBrowser,
  readmeScreenshot,
  signIn,
  startConsole,
  watchConsoleErrors,
  type RunningConsole,
} from '../../support/browser.js';
import { waitFor } from '../../support/wait.js';

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;
const ana = { id: '', token: '' };
/** The tickets made in beforeAll, by a short name. */
const made: Record<string, { id: string; number: number; reference: string }> = {};

interface NewTicket {
  subject: string;
  description?: string;
  requester: { name?: string; email?: string; phone?: string };
  impact?: 'high' | 'medium' | 'low';
  urgency?: 'high' | 'medium' | 'low';
  category?: string;
}

async function open(body: NewTicket): Promise<{ id: string; number: number; reference: string; priority: string }> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(bearer(COORDINATOR_TOKEN))
    .send({ description: 'As the requester said it', ...body });
  expect(res.status).toBe(201);
  return res.body;
}

async function patch(key: string, body: Record<string, unknown>, token = COORDINATOR_TOKEN): Promise<void> {
  const res = await request(desk.app).patch(`/api/tickets/${key}`).set(bearer(token)).send(body);
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
  const tech = await request(desk.app)
    .post('/api/technicians')
    .set(bearer(COORDINATOR_TOKEN))
    .send({
      name: 'Ana Martin',
      email: 'ana@corp.example',
      tier: 1,
      skills: ['network', 'printing'],
      maxLoad: 5,
      available: true,
      onCall: false,
    });
  expect(tech.status).toBe(201);
  Object.assign(ana, { id: tech.body.id, token: tech.body.token });

  // Opened lowest priority first: the queue must still put the most urgent deadline on top.
  made.monitor = await open({
    subject: 'Second monitor for the new starter',
    requester: { name: 'Léa Dubois', email: 'lea@corp.example' },
    impact: 'low',
    urgency: 'low',
    category: 'hardware',
  });
  made.printer = await open({
    subject: 'Printer on floor 2 jams on every job',
    requester: { name: 'Marc Petit', phone: '+33612345678' },
    impact: 'medium',
    urgency: 'medium',
    category: 'printing',
  });
  made.vpn = await open({
    subject: 'VPN drops every hour',
    requester: { name: 'Zoé Bernard', email: 'zoe@corp.example' },
    impact: 'high',
    urgency: 'medium',
    category: 'network',
  });
  made.erp = await open({
    subject: 'ERP down for the accounts team',
    requester: { name: 'Paul Laurent', email: 'paul@corp.example' },
    impact: 'high',
    urgency: 'high',
    category: 'software',
  });
  made.phishing = await open({
    subject: 'Phishing mail received by the whole sales team',
    requester: { name: 'Inès Moreau', email: 'ines@corp.example' },
    impact: 'medium',
    urgency: 'high',
    category: 'security',
  });

  // Routing itself finds nobody holding `security` and records the ticket as waiting (`queued`).
  await desk.services.rules.load();
  const engine = createRoutingEngine({
    deps: { ...desk.services.tickets, listeners: [] },
    rules: desk.services.rules,
    timezone: desk.config.timezone,
  });
  expect(await routeTicket(engine, made.phishing.id)).toMatchObject({ kind: 'queued' });
  // Ana holds the VPN ticket (accepted: in progress) and is offered the printer one (assigned).
  await patch(made.vpn.reference, { assigneeId: ana.id });
  await patch(made.vpn.reference, { status: 'in_progress' }, ana.token);
  // …and waits on Zoé's answer (pending): its clock stands still.
  await patch(made.vpn.reference, { status: 'pending' }, ana.token);
  await patch(made.printer.reference, { assigneeId: ana.id });
  // What the API cannot do: a ticket opened 75 minutes ago (its response now overdue), and tickets
  // that came by phone and email, as a desk's morning looks.
  const sql = (statement: string, bind: Record<string, unknown>) => desk.sequelize.query(statement, { bind });
  const earlier = (column: string) => `${column} = ${column} - interval '75 minutes'`;
  await sql(`UPDATE tickets SET ${['created_at', 'respond_by', 'resolve_by'].map(earlier).join(', ')} WHERE id = $id`, { id: made.erp.id });
  await sql(`UPDATE tickets SET channel = 'voice' WHERE id = $id`, { id: made.printer.id });
  await sql(`UPDATE tickets SET channel = 'email' WHERE id IN ($a, $b)`, { a: made.monitor.id, b: made.phishing.id });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

/** The references of the queue's rows, top to bottom. */
const rowsOf = (page: Page) => page.locator('table.queue tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')));

async function signedIn(token: string, lang: 'en' | 'fr' = 'en'): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchConsoleErrors(page);
  await signIn(page, web.base, token, lang);
  return { page, errors, close: () => context.close() };
}

describe('the queue (GET /)', () => {
  it('lists open tickets nearest SLA deadline first, with who waits for nobody, and is accessible (en)', async () => {
    const { page, errors, close } = await signedIn(COORDINATOR_TOKEN);
    const tickets = (await request(desk.app).get('/api/tickets?status=open').set(bearer(COORDINATOR_TOKEN))).body.items as Array<{
      reference: string;
      sla: { respondBy: string; resolveBy: string; respondedAt: string | null };
    }>;
    const pending = (t: (typeof tickets)[number]) => Date.parse(t.sla.respondedAt ? t.sla.resolveBy : t.sla.respondBy);
    const expected = [...tickets].sort((a, b) => pending(a) - pending(b)).map((t) => t.reference);
    expect(await rowsOf(page)).toEqual(expected);
    // Not yet responded to, they wait by priority: P1 (high × high) first, P4 (low × low) last; the
    // VPN ticket, accepted, counts down to its resolution instead.
    const unanswered = [made.erp, made.phishing, made.printer, made.monitor].map((t) => expected.indexOf(t?.reference ?? ''));
    expect(unanswered).toEqual([...unanswered].sort((a, b) => a - b));
    expect(expected[0]).toBe(made.erp?.reference);

    const erp = page.locator(`tr[data-ticket="${made.erp?.reference}"]`);
    await expect(erp.getByRole('link', { name: made.erp?.reference }).getAttribute('href')).resolves.toBe(`/tickets/${made.erp?.id}`);
    // Its response target passed: overdue, in red, and still counting.
    const late = erp.locator('time[data-countdown]');
    await expect(late.textContent()).resolves.toMatch(/^overdue by \d/);
    await expect(late.getAttribute('class')).resolves.toContain('overdue');
    await expect(page.locator(`tr[data-ticket="${made.monitor?.reference}"] time[data-countdown]`).textContent()).resolves.toMatch(
      /^in \d/,
    );
    const vpn = page.locator(`tr[data-ticket="${made.vpn?.reference}"]`);
    await expect(vpn.textContent()).resolves.toContain('Ana Martin');
    await expect(vpn.locator('td.due').textContent()).resolves.toMatch(/Clock paused\s*\d.* left when it restarts/);
    expect(await vpn.locator('time[data-countdown]').count()).toBe(0);
    const phishing = page.locator(`tr[data-ticket="${made.phishing?.reference}"]`);
    await expect(phishing.getAttribute('class')).resolves.toContain('nobody-eligible');
    await expect(phishing.textContent()).resolves.toContain('No eligible technician');
    expect(await page.locator(`tr[data-ticket="${made.monitor?.reference}"] .badge`).count()).toBe(0);
    await page.locator('#live-status[data-state="open"]').waitFor();
    await expect(page.locator('#live-status').textContent()).resolves.toBe('Live');

    expect(await checkAccessibility(page)).toEqual([]);
    await readmeScreenshot(page, 'console-queue.png');
    expect(errors).toEqual([]);
    await close();
  });

  it('narrows by several statuses, nobody assigned and a requester’s email, keeping the filters in the URL', async () => {
    const { page, errors, close } = await signedIn(COORDINATOR_TOKEN);
    await page.getByRole('checkbox', { name: 'New' }).check();
    await page.getByRole('checkbox', { name: 'Assigned' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=new&status=assigned/);
    expect((await rowsOf(page)).sort()).toEqual([made.erp, made.printer, made.phishing, made.monitor].map((t) => t?.reference).sort());

    await page.getByLabel('Assigned to').selectOption({ label: 'Nobody' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/assignee=none/);
    expect((await rowsOf(page)).sort()).toEqual([made.erp, made.phishing, made.monitor].map((t) => t?.reference).sort());

    // Reloaded from its URL, the page keeps its filters.
    await page.reload();
    await expect(page.getByRole('checkbox', { name: 'Assigned' }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Assigned to').inputValue()).resolves.toBe('none');

    await page.goto(`${web.base}/`);
    await page.getByRole('searchbox', { name: 'Search' }).fill('zoe@corp.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/q=zoe%40corp\.example/);
    expect(await rowsOf(page)).toEqual([made.vpn?.reference]);
    await page.getByRole('searchbox', { name: 'Search' }).fill('06 12 34 56 78');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/q=06/);
    expect(await rowsOf(page)).toEqual([made.printer?.reference]);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a ticket created meanwhile without a reload, its HTML subject as text', async () => {
    const { page, errors, close } = await signedIn(COORDINATOR_TOKEN);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.locator('#live-status[data-state="open"]').waitFor();
    // A mark on this document: still there afterwards means the page was not reloaded.
    await page.locator('body').evaluate((body) => body.setAttribute('data-before', 'yes'));
    const subject = '<img src=x onerror=alert(1)>';
    const hostile = await open({ subject, requester: { email: 'mallory@corp.example' }, impact: 'high', urgency: 'high' });
    const row = page.locator(`tr[data-ticket="${hostile.reference}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.locator('td.subject').textContent()).resolves.toBe(subject);
    expect(await page.locator('table.queue img').count()).toBe(0);
    await expect(page.locator('body').getAttribute('data-before')).resolves.toBe('yes');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a technician only their own tickets, with no assignee filter', async () => {
    const { page, errors, close } = await signedIn(ana.token);
    expect((await rowsOf(page)).sort()).toEqual([made.vpn, made.printer].map((t) => t?.reference).sort());
    expect(await page.locator('#filter-assignee').count()).toBe(0);
    // Asking for someone else's in the URL changes nothing.
    await page.goto(`${web.base}/?assignee=none`);
    expect((await rowsOf(page)).sort()).toEqual([made.vpn, made.printer].map((t) => t?.reference).sort());
    expect(errors).toEqual([]);
    await close();
  });

  it('renders in French with no console error and no serious accessibility violation', async () => {
    const { page, errors, close } = await signedIn(COORDINATOR_TOKEN, 'fr');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tickets ouverts');
    await expect(page.getByRole('checkbox', { name: 'En attente', exact: true }).count()).resolves.toBe(1);
    await expect(page.locator(`tr[data-ticket="${made.phishing?.reference}"]`).textContent()).resolves.toContain(
      'Aucun technicien disponible',
    );
    await waitFor('the countdowns in French', async () =>
      /^en retard de \d/.test((await page.locator('time[data-countdown]').first().textContent()) ?? ''),
    );
    await expect(page.locator('time[data-countdown]').last().textContent()).resolves.toMatch(/^dans \d/);
    expect(await checkAccessibility(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });

  it('pages by 50, the links keeping the filters, no ticket on two pages', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          open({
            subject: `Laptop battery swap ${batch * 10 + i}`,
            requester: { email: `staff${batch * 10 + i}@corp.example` },
            impact: 'low',
            urgency: 'low',
          }),
        ),
      );
    }
    const login = await request(desk.app).post('/login').type('form').send({ token: COORDINATOR_TOKEN });
    const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const listed = (body: string) => [...body.matchAll(/data-ticket="(HD-\d+)"/g)].map((m) => m[1]);
    const first = await request(desk.app).get('/?lang=en&channel=web').set('Cookie', cookie);
    expect(first.status).toBe(200);
    const total = Number(/(\d+) open tickets/.exec(first.text)?.[1]);
    expect(total).toBeGreaterThan(50);
    expect(listed(first.text)).toHaveLength(50);
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBe('/?channel=web&page=2');
    const second = await request(desk.app).get(`${next}&lang=en`).set('Cookie', cookie);
    expect(listed(second.text)).toHaveLength(total - 50);
    expect(listed(second.text).filter((ref) => listed(first.text).includes(ref))).toEqual([]);
    expect(second.text).toContain('<a href="/?channel=web" rel="prev">Previous page</a>');
  });
});

import request from 'supertest';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { checkAccessibility, openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

/**
 * Issue #16 in the console: a ticket's page names the problem it is an incident of (and its history
 * says when it was linked); the statistics page shows the share resolved at tier 1 and by self-service
 * beside first contact, as GET /api/stats says them.
 */

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;
const auth = bearer(COORDINATOR_TOKEN);
let linked = 0;

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
  const open = async (subject: string) =>
    (
      await request(desk.app)
        .post('/api/tickets')
        .set(auth)
        .send({ subject, requester: { email: 'noe@client.example' } })
        .expect(201)
    ).body.number as number;
  linked = await open('Shared drive S: is gone');
  const resolved = await open('Printer offline');
  await request(desk.app).post(`/api/tickets/${resolved}/resolve`).set(auth).send({ resolution: 'Plugged back in' }).expect(200);
  await request(desk.app)
    .post('/api/problems')
    .set(auth)
    .send({ title: 'File server FS-02 failing', status: 'known_error', workaround: 'Use FS-03', incidents: [linked] })
    .expect(201);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

describe('problems in the console', () => {
  it('shows the ticket’s problem, in English and French', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await signIn(page, web.base, COORDINATOR_TOKEN);
    await page.goto(`${web.base}/tickets/${linked}`);
    const fact = page.locator('[data-problem]');
    await expect.poll(() => fact.textContent()).toContain('File server FS-02 failing');
    expect(await fact.textContent()).toContain('known error');
    expect(await page.locator('main').textContent()).toContain('Linked to the problem “File server FS-02 failing”');
    expect(await checkAccessibility(page)).toEqual([]);
    await page.goto(`${web.base}/tickets/${linked}?lang=fr`);
    expect(await page.locator('[data-problem]').textContent()).toContain('erreur connue');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the tier 1 and self-service shares beside first contact', async () => {
    const stats = await request(desk.app).get('/api/stats').set(auth).expect(200);
    expect(stats.body).toMatchObject({ tier1ResolutionRate: 1, selfServiceRate: 0 });
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await signIn(page, web.base, COORDINATOR_TOKEN);
    await page.goto(`${web.base}/stats`);
    expect((await page.locator('tr[data-figure="tier1"] td').textContent())?.trim()).toBe('100%');
    expect((await page.locator('tr[data-figure="self-service"] td').textContent())?.trim()).toBe('0%');
    expect(await page.locator('tr[data-figure="tier1"] th').textContent()).toBe('Resolved at tier 1');
    expect(errors).toEqual([]);
    await context.close();
  });
});

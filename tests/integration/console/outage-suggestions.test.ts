import request from 'supertest';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { checkAccessibility, openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

/**
 * /outages#suggestions (#16), where the storm alert leads: the groups of similar open tickets, each
 * with "Declare an outage" and "Open a problem" in one step, in English and French.
 */

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;

const api = (method: 'get' | 'post', path: string, body?: object) => {
  const req = request(desk.app)[method](path).set(bearer(COORDINATOR_TOKEN));
  return body ? req.send(body) : req;
};

async function open(subject: string, category: string): Promise<number> {
  const res = await api('post', '/api/tickets', { subject, description: '', category, requester: { email: 'x@corp.example' } });
  expect(res.status).toBe(201);
  return res.body.number as number;
}

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

describe('the suggestions on the outages page', () => {
  it('lists a group of similar tickets, declares an outage from it, and opens a problem from another', async () => {
    const vpn = [await open('VPN coupé', 'network'), await open('Le VPN ne répond plus', 'network'), await open('VPN KO', 'network')];
    const mail = [await open('Messagerie bloquée', 'email'), await open('messagerie bloquée au siège', 'email')];
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await signIn(page, web.base, COORDINATOR_TOKEN, 'fr');
    await page.goto(`${web.base}/outages#suggestions`);
    const section = page.getByRole('region', { name: 'Semblent avoir une même cause' });
    await expect(section.getByRole('link', { name: `HD-${vpn[2]}` }).count()).resolves.toBe(1);
    await expect(section.getByRole('button', { name: 'Ouvrir un problème – Messagerie bloquée' }).count()).resolves.toBe(1);
    expect(await checkAccessibility(page)).toEqual([]);

    await page.goto(`${web.base}/outages?lang=en`);
    await page.getByRole('button', { name: 'Declare an outage – VPN coupé' }).click();
    await page.waitForURL(`${web.base}/outages`);
    const [outage] = (await api('get', '/api/outages')).body.items as { id: string; title: string; category: string }[];
    expect(outage).toMatchObject({ title: 'VPN coupé', category: 'network' });
    for (const n of vpn) expect((await api('get', `/api/tickets/${n}`)).body.outageId).toBe(outage!.id);
    await expect(
      page
        .getByRole('region', { name: 'Ongoing' })
        .getByRole('link', { name: `HD-${vpn[0]}` })
        .count(),
    ).resolves.toBe(1);

    await page.getByRole('button', { name: 'Open a problem – Messagerie bloquée' }).click();
    await page.waitForURL(`${web.base}/tickets/${mail[0]}`);
    const problems = (await api('get', '/api/problems')).body.items as { title: string; incidents: number[] }[];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ title: 'Messagerie bloquée' });
    expect([...problems[0]!.incidents].sort()).toEqual([...mail].sort());
    expect(errors).toEqual([]);
    await context.close();
  });
});

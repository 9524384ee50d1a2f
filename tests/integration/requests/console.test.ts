import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { answerApproval } from '../../../src/tickets/approvals.js';
import { COORDINATOR_TOKEN } from '../../support/desk.js';
import { checkAccessibility, openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';
import { waitFor } from '../../support/wait.js';
import { addTechnician, createRoutingDesk, type RoutingDesk } from '../routing/routing-desk.js';

/**
 * A service request in the console (#17), in Chromium: the queue lists it among the requests
 * awaiting approval, its page shows the item, the fields and who is asked; a coordinator's Reject
 * without a comment is refused visibly (422, the message beside the field, nothing changed), and
 * Approve sends it to routing, which offers it to the technician of the item's category.
 */

let desk: RoutingDesk;
let browser: Browser;
let web: RunningConsole;
let ana: { id: string; token: string };

beforeAll(async () => {
  browser = await openBrowser();
  desk = await createRoutingDesk({ HELPDESK_LANGUAGE: 'en' });
  // The item's category is `access`: Ana holds it alone.
  ana = await addTechnician(desk, { name: 'Ana', tier: 1, skills: ['access'], maxLoad: 10, email: 'ana.costa@desk.example' });
  await desk.startWorker();
  web = await startConsole(desk);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

const api = () => request(desk.app);

async function detail(number: number): Promise<TicketDetail> {
  const res = await api().get(`/api/tickets/${number}`).set(desk.auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

async function openAccessRequest(application: string): Promise<number> {
  const res = await api()
    .post('/api/requests')
    .set(desk.auth)
    .send({
      item: 'app-access',
      requester: {
        name: 'Alice Martin',
        email: 'alice.martin@client.example',
        manager: { name: 'Marc Petit', email: 'marc.petit@client.example' },
      },
      fields: { application, accessLevel: 'write', reason: 'Month-end closing entries' },
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

async function signedIn(lang: 'en' | 'fr' = 'en'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchConsoleErrors(page);
  await signIn(page, web.base, COORDINATOR_TOKEN, lang);
  return { context, page, errors };
}

describe('a request in the console', () => {
  it('is listed and shown awaiting approval; Reject without a comment is refused (422); Approve routes it', async () => {
    const number = await openAccessRequest('SAP');
    const { context, page, errors } = await signedIn();

    // The queue leaves requests awaiting approval out unless asked; filtered by type and that status, it lists it.
    await page.goto(`${web.base}/?type=request&status=awaiting_approval`);
    const row = page.locator(`tr[data-ticket="HD-${number}"]`);
    await expect(row.textContent()).resolves.toContain('Awaiting approval');
    await expect(page.getByLabel('Type').inputValue()).resolves.toBe('request');

    await page.goto(`${web.base}/tickets/${number}`);
    const head = page.locator('.ticket-head');
    await expect(head.textContent()).resolves.toContain('Awaiting approval');
    await expect(head.locator('.badge.type').textContent()).resolves.toContain('Request');
    const panel = page.locator('section.request');
    for (const fact of [
      'Access to an application',
      'Application',
      'SAP',
      'Access level',
      'write',
      'Marc Petit',
      'marc.petit@client.example',
      'waiting',
    ]) {
      expect(await panel.textContent(), fact).toContain(fact);
    }
    expect(await checkAccessibility(page)).toEqual([]);

    const refused = page.waitForResponse((r) => r.url().endsWith(`/tickets/${number}/reject`) && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    expect((await refused).status()).toBe(422);
    const comment = page.getByLabel('Why it is rejected (sent to the requester)');
    await expect(comment.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#reject-comment-error').textContent()).resolves.toContain('Say why it is rejected');
    expect((await detail(number)).status).toBe('awaiting_approval');

    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.waitForURL(`${web.base}/tickets/${number}`);
    await expect(page.locator('.timeline').textContent()).resolves.toContain('Approved by Coordinator in the console or by the API');
    await expect(page.getByRole('button', { name: 'Approve', exact: true }).count()).resolves.toBe(0);
    const routed = await waitFor(`HD-${number} offered`, async () => {
      const t = await detail(number);
      return t.status === 'assigned' && t.assignee?.id === ana.id ? t : null;
    });
    expect(routed.events.filter((e) => e.type === 'approval').map((e) => e.data)).toEqual([{ decision: 'approved', via: 'api' }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows who approved a departure and how, links it to its tasks, and each task back to it', async () => {
    const res = await api()
      .post('/api/requests')
      .set(desk.auth)
      .send({
        item: 'departure',
        requester: { name: 'Hugo HR', email: 'hugo@client.example', manager: { name: 'Dana', email: 'dana@client.example' } },
        fields: { person: 'Leo Leaving', lastDay: '2027-01-29' },
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const number = res.body.number as number;
    // Dana, the manager, answers by her email's link.
    const [asked] = (await detail(number)).request?.approvals ?? [];
    expect(await answerApproval(desk.services.tickets, asked!.id, { decision: 'approved', via: 'link' })).toBe('approved');
    const { children } = (await detail(number)).request ?? { children: [] };
    expect(children).toHaveLength(4);

    const { context, page, errors } = await signedIn();
    await page.goto(`${web.base}/tickets/${number}`);
    await expect(page.locator('.timeline').textContent()).resolves.toContain('Approved by Dana by the email link');
    await expect(page.locator('section.request .approval-approved').textContent()).resolves.toContain('approved by the email link');
    const links = page.locator('section.request ul.children a');
    await expect(links.allTextContents()).resolves.toEqual(children.map((n) => `HD-${n}`));
    await links.first().click();
    await page.waitForURL(`${web.base}/tickets/${children[0]}`);
    const parent = page.locator('.ticket-head a', { hasText: `HD-${number}` });
    await expect(parent.count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('speaks French', async () => {
    const number = await openAccessRequest('Jira');
    const { context, page, errors } = await signedIn('fr');
    await page.goto(`${web.base}/tickets/${number}`);
    await expect(page.locator('section.request h2').textContent()).resolves.toBe('Demande');
    await expect(page.locator('.ticket-head').textContent()).resolves.toContain('En attente d’approbation');
    await expect(page.getByRole('button', { name: 'Approuver', exact: true }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});

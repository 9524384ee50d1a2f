import request from 'supertest';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

async function openTicket(subject: string): Promise<string> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(bearer(COORDINATOR_TOKEN))
    .send({ subject, description: 'as said', requester: { email: 'ann@corp.example' } });
  expect(res.status).toBe(201);
  return res.body.reference as string;
}

describe('the console while it is open', () => {
  it('shows a lost connection, recovers by itself, and then shows what happened meanwhile', async () => {
    const page = await browser.newPage();
    await signIn(page, web.base, COORDINATOR_TOKEN);
    const status = page.locator('#live-status');
    await page.locator('#live-status[data-state="open"]').waitFor();
    await expect(status.textContent()).resolves.toBe('Live');

    web.dropConnections();
    await page.locator('#live-status[data-state="lost"]').waitFor();
    await expect(status.textContent()).resolves.toBe('Connection lost, reconnecting…');
    const meanwhile = await openTicket('Made while the console was cut off');

    await page.locator('#live-status[data-state="open"]').waitFor({ timeout: 15_000 });
    await page.locator(`tr[data-ticket="${meanwhile}"]`).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('is usable from the keyboard: ? opens the shortcut sheet, g t goes to technicians, / finds the search box', async () => {
    const page = await browser.newPage();
    const errors = watchConsoleErrors(page);
    await signIn(page, web.base, COORDINATOR_TOKEN);
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(sheet.isVisible()).resolves.toBe(false);
    await page.keyboard.press('?');
    await sheet.waitFor();
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });

    await page.keyboard.press('/');
    await expect(page.locator('input[type="search"]:focus').count()).resolves.toBe(1);
    await page.locator('input[type="search"]').blur();

    await page.keyboard.press('g');
    await page.keyboard.press('t');
    await page.waitForURL(`${web.base}/technicians`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/intake/twilio/signature.js';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier, type Notifier } from '../../../src/notify/notifier.js';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { DEFAULT_OFFER_RULES } from '../../../src/rules/rules-schemas.js';
import { checkAccessibility, openBrowser, watchConsoleErrors } from '../../support/browser.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';
import { waitFor } from '../../support/wait.js';
import { FAST } from '../notify/fast.js';
import { addTechnician, createRoutingDesk, detail, eventsOf, openWebTicket, putRule, type RoutingDesk } from '../routing/routing-desk.js';

/**
 * The offer SMS's link on a technician's phone (contract, "The console (a browser)", last bullet):
 * routing offers, the notifier texts the offer through the Twilio stand-in, and Chromium at a
 * phone's size opens the link, accepts or declines. The desk listens on the port PUBLIC_URL names,
 * so that the link in the SMS is the address the browser opens and its Origin is the desk's own.
 */

const HOTLINE = '+33100000000';
const PHONES = { ada: '+33622220001', bob: '+33622220002', cy: '+33622220003' };
const PHONE_SIZE = { width: 375, height: 667 };

let server: Server;
let publicUrl: string;
let standIn: TwilioStandIn;
let desk: RoutingDesk;
let notifier: Notifier;
let notifyPrefix: string;
let browser: Browser;
let techs: Record<keyof typeof PHONES, { id: string; token: string }>;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn = await startTwilioStandIn();
  [desk, browser] = await Promise.all([
    createRoutingDesk({
      PUBLIC_URL: publicUrl,
      HELPDESK_LANGUAGE: 'en',
      TWILIO_ACCOUNT_SID: standIn.accountSid,
      TWILIO_AUTH_TOKEN: standIn.authToken,
      TWILIO_PHONE_NUMBER: HOTLINE,
      TWILIO_API_URL: standIn.url,
    }),
    openBrowser(),
  ]);
  server.on('request', desk.app);
  notifyPrefix = uniquePrefix();
  notifier = await startNotifier({
    store: desk.services.store,
    log: desk.log,
    redisUrl: desk.redisUrl,
    prefix: notifyPrefix,
    channels: channelsFromConfig(desk.config),
    timeZone: desk.config.timezone,
    ...FAST,
  });
  // P4 offers time out in 2 s (the expiry test); the others keep their minutes.
  await putRule(desk, 'offer-timeouts', { ...DEFAULT_OFFER_RULES, timeouts: { ...DEFAULT_OFFER_RULES.timeouts, P4: 2 / 60 } });
  // One skill each: a ticket's category says whom routing offers it to first.
  techs = {
    ada: await addTechnician(desk, { name: 'Ada', tier: 1, skills: ['printing'], phone: PHONES.ada }),
    bob: await addTechnician(desk, { name: 'Bob', tier: 1, skills: ['network'], phone: PHONES.bob }),
    cy: await addTechnician(desk, { name: 'Cy', tier: 1, skills: ['hardware'], phone: PHONES.cy }),
  };
  for (const [who, language] of [
    ['ada', 'en'],
    ['bob', 'fr'],
  ] as const) {
    await request(desk.app).patch(`/api/technicians/${techs[who].id}`).set(desk.auth).send({ language }).expect(200);
  }
  await desk.startWorker();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await notifier?.stop();
  if (desk) await deleteKeys(desk.redisUrl, notifyPrefix);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await desk?.close();
  await standIn?.stop();
});

const phoneContext = (locale: 'en-GB' | 'fr-FR'): Promise<BrowserContext> => browser.newContext({ viewport: PHONE_SIZE, locale });

/** A ticket routing offers to `who` (by the category only they have the skill for); its offer SMS's code. */
async function offered(
  who: keyof typeof PHONES,
  ticket: { subject: string; category: string; description?: string; impact?: string; urgency?: string },
): Promise<{ id: string; number: number; code: string; body: string }> {
  const made = await openWebTicket(desk, { impact: 'medium', urgency: 'medium', description: 'Nothing prints.', ...ticket });
  const link = new RegExp(`${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/o/([A-Za-z0-9_-]{28})(?=\\s|$)`);
  const sms = await waitFor(`the offer SMS of HD-${made.number} to ${who}`, () =>
    standIn.messages.find((m) => m.to === PHONES[who] && m.body.includes(`HD-${made.number}`) && link.test(m.body)),
  );
  const code = link.exec(sms.body)?.[1] ?? '';
  return { id: made.id, number: made.number, code, body: sms.body };
}

const api = (number: number): Promise<TicketDetail> => detail(desk, number);

describe('the offer link of a technician’s phone', () => {
  it('accepts from the SMS link at a phone’s size, signs the technician in on the ticket, and works once', async () => {
    const ticket = await offered('ada', {
      subject: 'Printer jammed on floor 2',
      category: 'printing',
      description: 'Paper stuck.\n<img src=x onerror=alert(1)> still shows as text',
    });
    // The SMS carries the link once, on one or two segments; what the desk stores keeps it masked.
    expect(ticket.body.split('/o/')).toHaveLength(2);
    expect(ticket.body).toContain(`Reply ACCEPT ${ticket.number} / DECLINE ${ticket.number}`);
    expect(ticket.body.length).toBeLessThanOrEqual(306);
    const stored = await desk.sequelize.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM outbox WHERE rendered::text LIKE $like) + (SELECT count(*) FROM messages WHERE body LIKE $like) AS n`,
      { bind: { like: `%${ticket.code}%` }, type: QueryTypes.SELECT },
    );
    expect(Number(stored[0]?.n)).toBe(0);
    expect((await api(ticket.number)).messages.find((m) => m.to === PHONES.ada)?.body).toContain(`/o/${'*'.repeat(28)}`);

    // A link previewer fetches it first: that uses nothing.
    for (let i = 0; i < 2; i++) expect((await request(desk.app).get(`/o/${ticket.code}`)).status).toBe(200);

    const context = await phoneContext('en-GB');
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    const opened = await page.goto(`${publicUrl}/o/${ticket.code}`);
    expect(opened?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(`HD-${ticket.number}`);
    await expect(page.locator('main').textContent()).resolves.toContain('<img src=x onerror=alert(1)> still shows as text');
    await expect(page.locator('main').textContent()).resolves.toContain('Alice');
    expect(await page.getByRole('button', { name: 'Decline' }).count()).toBe(1);
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE_SIZE.width);
    expect(await checkAccessibility(page)).toEqual([]);

    const landed = page.waitForResponse((r) => r.url() === `${publicUrl}/tickets/${ticket.id}`);
    await page.getByRole('button', { name: 'Accept' }).click();
    expect((await landed).status()).toBe(200);
    await page.waitForURL(`${publicUrl}/tickets/${ticket.id}`);
    const after = await api(ticket.number);
    expect([after.status, after.assignee?.id]).toEqual(['in_progress', techs.ada.id]);
    // Signed in as Ada: the session cookie reads her ticket through the API.
    const own = await page.request.get(`${publicUrl}/api/tickets/${ticket.id}`);
    expect(own.status()).toBe(200);

    // The same link again: used, says so, changes nothing.
    const again = await page.goto(`${publicUrl}/o/${ticket.code}`);
    expect(again?.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This link was used');
    const replay = await request(desk.app).post(`/o/${ticket.code}/decline`).set('Origin', publicUrl).type('form').send({});
    expect(replay.status).toBe(410);
    const unchanged = await api(ticket.number);
    expect([unchanged.status, unchanged.assignee?.id, unchanged.events.length]).toEqual(['in_progress', techs.ada.id, after.events.length]);
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);

  it('declines in French: the ticket goes back to routing, and the link has ended', async () => {
    const ticket = await offered('bob', { subject: 'VPN tombé', category: 'network' });
    const context = await phoneContext('fr-FR');
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await page.goto(`${publicUrl}/o/${ticket.code}`);
    expect(await page.getByRole('button', { name: 'Accepter' }).count()).toBe(1);
    expect(await checkAccessibility(page)).toEqual([]);
    await page.getByRole('button', { name: 'Refuser' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Refusé, merci');

    const declined = await waitFor('routing to move the ticket on', async () => {
      const t = await api(ticket.number);
      return t.assignee?.id !== techs.bob.id && eventsOf(t, 'declined').length === 1 ? t : undefined;
    });
    expect(eventsOf(declined, 'declined')[0]).toMatchObject({ actor: `technician:${techs.bob.id}`, data: { technicianId: techs.bob.id } });
    const later = await page.goto(`${publicUrl}/o/${ticket.code}`);
    expect(later?.status()).toBe(410);
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);

  it('has ended once the offer timed out, or was declined by SMS; an unknown code or a foreign origin opens nothing; two taps accept once', async () => {
    // Timed out: P4 offers last 2 s here.
    const slow = await offered('cy', { subject: 'Mouse squeaks', category: 'hardware', impact: 'low', urgency: 'low' });
    await waitFor('the offer to time out', async () => eventsOf(await api(slow.number), 'offer_expired').length > 0, { timeoutMs: 10_000 });
    const expired = await request(desk.app).get(`/o/${slow.code}?lang=fr`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Cette proposition est terminée');

    // Declined by SMS, signed as Twilio signs it.
    const texted = await offered('ada', { subject: 'Toner empty', category: 'printing' });
    const params = {
      MessageSid: `SM${'9'.repeat(32)}`,
      AccountSid: standIn.accountSid,
      From: PHONES.ada,
      To: HOTLINE,
      Body: `DECLINE ${texted.number}`,
      NumMedia: '0',
    };
    const sms = await request(desk.app)
      .post('/twilio/sms')
      .type('form')
      .set('X-Twilio-Signature', signRequest(standIn.authToken, `${publicUrl}/twilio/sms`, params))
      .send(params);
    expect(sms.status).toBe(200);
    const gone = await request(desk.app).get(`/o/${texted.code}?lang=en`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('This offer has ended');
    const late = await request(desk.app).post(`/o/${texted.code}/accept`).set('Origin', publicUrl).type('form').send({});
    expect(late.status).toBe(410);
    expect((await api(texted.number)).status).not.toBe('in_progress');

    // A code one character off is unknown (404); a standing offer answered from another site is refused (403).
    const open = await offered('bob', { subject: 'Switch down', category: 'network' });
    const forged = `${open.code.slice(0, -1)}${open.code.endsWith('A') ? 'B' : 'A'}`;
    expect((await request(desk.app).get(`/o/${forged}`)).status).toBe(404);
    const foreign = await request(desk.app).post(`/o/${open.code}/accept`).set('Origin', 'https://evil.example').type('form').send({});
    expect(foreign.status).toBe(403);
    const still = await api(open.number);
    expect([still.status, still.assignee?.id]).toEqual(['assigned', techs.bob.id]);
    expect((await request(desk.app).get(`/o/${open.code}`)).status).toBe(200);

    // Two taps at once: one accepts, the other is told the link was used; one acceptance only.
    const tap = () => request(desk.app).post(`/o/${open.code}/accept`).set('Origin', publicUrl).type('form').send({});
    const taps = await Promise.all([tap(), tap()]);
    expect(taps.map((r) => r.status).sort()).toEqual([303, 410]);
    const taken = await api(open.number);
    expect([taken.status, taken.assignee?.id, eventsOf(taken, 'accepted').length]).toEqual(['in_progress', techs.bob.id, 1]);
  }, 30_000);
});

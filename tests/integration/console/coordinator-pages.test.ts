import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkTicketToOutage } from '../../../src/tickets/link-outage.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { checkAccessibility, openBrowser, signIn, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

/** The coordinator pages: /technicians, /outages, /quarantine, /rules. One browser for the file. */

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;
const ana = { id: '', token: '' };

const PAGES = ['/technicians', '/outages', '/quarantine', '/rules'] as const;

async function api(method: 'get' | 'post', path: string, body?: object) {
  const req = request(desk.app)[method](path).set(bearer(COORDINATOR_TOKEN));
  return body ? req.send(body) : req;
}

beforeAll(async () => {
  desk = await createTestDesk();
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
  const tech = await api('post', '/api/technicians', {
    name: 'Ana Martin',
    email: 'ana@corp.example',
    phone: '+33611111111',
    tier: 1,
    skills: ['network', 'printing'],
    maxLoad: 5,
    available: true,
    onCall: false,
  });
  expect(tech.status).toBe(201);
  Object.assign(ana, { id: tech.body.id, token: tech.body.token });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

/** A signed-in coordinator's page, its errors watched; the context is closed by `done`. */
async function coordinator(lang: 'en' | 'fr' = 'en'): Promise<{ page: Page; errors: string[]; done(): Promise<void> }> {
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const errors = watchConsoleErrors(page);
  await signIn(page, web.base, COORDINATOR_TOKEN, lang);
  return { page, errors, done: () => context.close() };
}

describe('the coordinator pages', () => {
  it('answer 403 to a technician, for the pages and their forms', async () => {
    const login = await request(desk.app).post('/login').type('form').send({ token: ana.token });
    const cookie =
      String(([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('helpdesk_session=')) ?? '').split(
        ';',
      )[0] ?? '';
    for (const path of PAGES) {
      const res = await request(desk.app).get(`${path}?lang=en`).set('Cookie', cookie);
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('You may not see this page.');
    }
    const post = await request(desk.app)
      .post(`/technicians/${ana.id}/availability`)
      .set('Cookie', cookie)
      .type('form')
      .send({ value: 'false' });
    expect(post.status).toBe(403);
    expect((await api('get', `/api/technicians/${ana.id}`)).body.available).toBe(true);
  });

  it('render in English and French with no console error and no serious accessibility violation', async () => {
    const { page, errors, done } = await coordinator();
    const headings = {
      en: ['Technicians', 'Outages', 'Quarantine and failed notifications', 'Rules'],
      fr: ['Techniciens', 'Pannes', 'Quarantaine et notifications en échec', 'Règles'],
    };
    for (const lang of ['en', 'fr'] as const) {
      for (const [i, path] of PAGES.entries()) {
        const res = await page.goto(`${web.base}${path}?lang=${lang}`);
        expect(res?.status(), path).toBe(200);
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(headings[lang][i]);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        expect(await checkAccessibility(page), `${path} ${lang}`).toEqual([]);
      }
    }
    expect(errors).toEqual([]);
    await done();
  });
});

describe('/technicians', () => {
  it('shows each technician with load against maxLoad, and toggles availability and on-call through the API’s path', async () => {
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/technicians`);
    const row = page.getByRole('row', { name: /Ana Martin/ });
    await expect(row.textContent()).resolves.toContain('0 / 5');
    await expect(row.textContent()).resolves.toContain('network, printing');

    await row.getByRole('button', { name: /Make unavailable/ }).click();
    await page.waitForURL(`${web.base}/technicians`);
    expect((await api('get', `/api/technicians/${ana.id}`)).body).toMatchObject({ available: false, onCall: false });
    await page
      .getByRole('row', { name: /Ana Martin/ })
      .getByRole('button', { name: /Put on call/ })
      .click();
    await page.waitForURL(`${web.base}/technicians`);
    expect((await api('get', `/api/technicians/${ana.id}`)).body).toMatchObject({ available: false, onCall: true });
    await page
      .getByRole('row', { name: /Ana Martin/ })
      .getByRole('button', { name: /Make available/ })
      .click();
    await page.waitForURL(`${web.base}/technicians`);
    expect((await api('get', `/api/technicians/${ana.id}`)).body).toMatchObject({ available: true, onCall: true });

    // A ticket given to her meanwhile: her load moves on the open page, without a reload.
    await page.locator('#live-status[data-state="open"]').waitFor();
    const ticket = await api('post', '/api/tickets', {
      subject: 'VPN drops',
      description: 'Every hour',
      requester: { email: 'lea@corp.example' },
    });
    const given = await request(desk.app)
      .patch(`/api/tickets/${ticket.body.number}`)
      .set(bearer(COORDINATOR_TOKEN))
      .send({ assigneeId: ana.id });
    expect(given.status).toBe(200);
    await page
      .getByRole('row', { name: /Ana Martin/ })
      .getByText('1 / 5')
      .waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await done();
  });

  it('adds a technician and shows their token once; a bad phone is refused beside its field (422)', async () => {
    const { page, errors, done } = await coordinator('fr');
    await page.goto(`${web.base}/technicians`);
    await page.getByLabel('Nom', { exact: true }).fill('Bruno <b>Leclerc</b>');
    await page.getByLabel('Téléphone').fill('not a phone');
    await page.getByLabel('Compétences').fill('Network, accounts');
    await page.getByLabel('Horaires').fill('mon-sun 00:00-24:00');
    const refused = page.waitForResponse((r) => r.url().endsWith('/technicians') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Ajouter le technicien' }).click();
    expect((await refused).status()).toBe(422);
    await expect(page.getByLabel('Téléphone').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#tech-phone-error').textContent()).resolves.toContain('phone');

    await page.getByLabel('Téléphone').fill('+33622222222');
    await page.getByRole('button', { name: 'Ajouter le technicien' }).click();
    const token = (await page.locator('code.token').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    // The name shows as text, and the token signs the new technician in to the API.
    const bruno = page.getByRole('row', { name: /Bruno <b>Leclerc<\/b>/ });
    await expect(bruno.textContent()).resolves.toContain('mon-sun 00:00-24:00 (en service maintenant)');
    const me = await request(desk.app).get('/api/tickets').set(bearer(token));
    expect(me.status).toBe(200);
    const listed = (await api('get', '/api/technicians')).body.items as Array<{ name: string; skills: string[]; maxLoad: number }>;
    expect(listed.find((t) => t.name === 'Bruno <b>Leclerc</b>')).toMatchObject({ skills: ['network', 'accounts'], maxLoad: 5 });
    expect(errors).toEqual([]);
    await done();
  });
  it('edits a technician’s load and shift; a shift it cannot read is refused beside its field (422)', async () => {
    const luc = await api('post', '/api/technicians', {
      name: 'Luc Girard',
      tier: 2,
      skills: ['security'],
      maxLoad: 4,
      available: true,
      onCall: false,
    });
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/technicians`);
    await page.getByRole('link', { name: 'Edit – Luc Girard' }).click();
    const form = page.getByRole('region', { name: 'Edit Luc Girard' });
    await expect(form.getByLabel('Maximum load').inputValue()).resolves.toBe('4');
    await form.getByLabel('Maximum load').fill('2');
    await form.getByLabel('Shift').fill('someday 25:00');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/technicians/${luc.body.id}`) && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Save changes' }).click();
    expect((await refused).status()).toBe(422);
    await expect(page.locator('#edit-shift').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#edit-shift-error').textContent()).resolves.toContain('shift');
    expect(await checkAccessibility(page)).toEqual([]);
    expect((await api('get', `/api/technicians/${luc.body.id}`)).body.maxLoad).toBe(4);

    await page.locator('#edit-shift').fill('mon-fri 08:00-17:00');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${web.base}/technicians`);
    expect((await api('get', `/api/technicians/${luc.body.id}`)).body).toMatchObject({ maxLoad: 2, shift: 'mon-fri 08:00-17:00', tier: 2 });
    await expect(page.getByRole('row', { name: /Luc Girard/ }).textContent()).resolves.toContain('0 / 2');
    expect(errors).toEqual([]);
    await done();
  });
});

describe('/outages', () => {
  it('declares an outage, says what callers hear in both languages, lists its linked tickets, and ends it', async () => {
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/outages`);
    await expect(page.getByText('No outage is going on: callers hear the greeting and the menu only.').count()).resolves.toBe(1);
    await page.getByLabel('Title', { exact: true }).fill('Email is down');
    await page.getByLabel('Message', { exact: true }).fill('The mail server does not answer; we are on it.');
    await page.getByLabel('Category').selectOption('email');
    await page.getByLabel('Title in French').fill('La messagerie est en panne');
    await page.getByLabel('Message in French').fill('Le serveur de messagerie ne répond plus.');
    await page.getByRole('button', { name: 'Declare outage' }).click();
    await page.waitForURL(`${web.base}/outages`);

    const listed = (await api('get', '/api/outages')).body.items as Array<{
      id: string;
      title: string;
      category?: string;
      translations?: object;
    }>;
    expect(listed).toHaveLength(1);
    const outage = listed[0]!;
    expect(outage).toMatchObject({
      title: 'Email is down',
      category: 'email',
      translations: { fr: { title: 'La messagerie est en panne' } },
    });
    // The voice menu's own sentence, each language with its own title.
    await expect(page.locator('dd[lang="en"]').textContent()).resolves.toContain('We know about an ongoing incident: Email is down.');
    await expect(page.locator('dd[lang="fr"]').textContent()).resolves.toContain('La messagerie est en panne');

    // A ticket linked to the outage by a person (the ticket page's use case; routing writes the same link):
    // it shows on the open page, without a reload.
    await page.locator('#live-status[data-state="open"]').waitFor();
    const ticket = await api('post', '/api/tickets', {
      subject: 'No email since 9',
      description: 'Outlook says disconnected',
      requester: { email: 'zoe@corp.example' },
    });
    await linkTicketToOutage(desk.services.tickets, String(ticket.body.number), outage.id, { kind: 'coordinator' });
    await page.getByRole('link', { name: `HD-${ticket.body.number}` }).waitFor({ timeout: 10_000 });

    await page.getByRole('button', { name: /End outage/ }).click();
    await page.waitForURL(`${web.base}/outages`);
    expect((await api('get', '/api/outages')).body.items).toEqual([]);
    await expect(page.getByRole('region', { name: 'Ended in the last 7 days' }).textContent()).resolves.toContain('Email is down');
    await expect(page.getByRole('button', { name: /End outage/ }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await done();
  });

  it('refuses an outage without a message, or ending in the past, beside the field (422); takes an expected end', async () => {
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/outages`);
    await page.getByLabel('Title', { exact: true }).fill('VPN');
    // `required` would stop the browser: the server's answer is what is tested here.
    await page.locator('#outage-message').evaluate((el) => el.removeAttribute('required'));
    const answer = page.waitForResponse((r) => r.url().endsWith('/outages') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Declare outage' }).click();
    expect((await answer).status()).toBe(422);
    await expect(page.locator('#outage-message').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('VPN');

    // An expected end already past: refused by the API's own use case, beside the field.
    await page.getByLabel('Message', { exact: true }).fill('The VPN concentrator is down');
    await page.getByLabel('Expected end (optional)').fill('2020-01-01T10:00');
    const past = page.waitForResponse((r) => r.url().endsWith('/outages') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Declare outage' }).click();
    expect((await past).status()).toBe(422);
    await expect(page.locator('#outage-until').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#outage-until-error').textContent()).resolves.toContain('must be in the future');
    expect((await api('get', '/api/outages')).body.items).toEqual([]);

    // A future one is kept, in the desk's time zone (Europe/Paris: 10:00 there is 09:00 UTC in January).
    await page.getByLabel('Expected end (optional)').fill('2099-01-15T10:00');
    await page.getByRole('button', { name: 'Declare outage' }).click();
    await page.waitForURL(`${web.base}/outages`);
    const declared = (await api('get', '/api/outages')).body.items as Array<{ id: string; until?: string }>;
    expect(declared.map((o) => o.until)).toEqual(['2099-01-15T09:00:00.000Z']);
    await page.getByRole('button', { name: /End outage/ }).click();
    await page.waitForURL(`${web.base}/outages`);
    expect((await api('get', '/api/outages')).body.items).toEqual([]);
    expect(errors).toEqual([]);
    await done();
  });
});

describe('/quarantine', () => {
  it('shows a quarantined email and a failed notification, and a retry puts it back to pending', async () => {
    await desk.services.store.quarantine.add({
      mailbox: 'INBOX',
      uid: 4242,
      reason: 'no header field at all',
      raw: Buffer.from('garbage'),
    });
    const ticket = await api('post', '/api/tickets', {
      subject: 'Printer jammed',
      description: 'Floor 2',
      requester: { email: 'max@corp.example' },
    });
    expect(ticket.status).toBe(201);
    const [rows] = await desk.sequelize.query(
      `UPDATE outbox SET status = 'failed', failed_at = now(), error_code = 'RECIPIENT_REFUSED', last_error = '550 no such user'
        WHERE id = (SELECT min(id) FROM outbox WHERE ticket_id = $1) RETURNING id`,
      { bind: [ticket.body.id] },
    );
    const id = (rows as Array<{ id: number }>)[0]?.id;
    expect(id).toBeDefined();

    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/quarantine`);
    const email = page.getByRole('row', { name: /INBOX/ });
    await expect(email.textContent()).resolves.toContain('4242');
    await expect(email.textContent()).resolves.toContain('no header field at all');
    const failed = page.getByRole('row', { name: /max@corp\.example/ });
    await expect(failed.textContent()).resolves.toContain('550 no such user');
    await expect(failed.getByRole('link', { name: `HD-${ticket.body.number}` }).count()).resolves.toBe(1);

    await failed.getByRole('button', { name: /Retry/ }).click();
    await page.waitForURL(`${web.base}/quarantine`);
    const [after] = await desk.sequelize.query('SELECT status FROM outbox WHERE id = $1', { bind: [id] });
    expect(after).toEqual([{ status: 'pending' }]);
    await expect(page.getByRole('row', { name: /max@corp\.example/ }).count()).resolves.toBe(0);
    expect((await api('get', '/api/notifications/failed')).body.total).toBe(0);
    const detail = await api('get', `/api/tickets/${ticket.body.number}`);
    expect((detail.body.events as Array<{ type: string; actor: string }>).find((e) => e.type === 'notification_retried')).toMatchObject({
      actor: 'coordinator',
    });
    expect(errors).toEqual([]);
    await done();
  });
});

describe('/quarantine: filtered mail', () => {
  it('lists filtered mail with its reason, and "Open a ticket" opens it once (English and French)', async () => {
    const raw = [
      'From: Lina Roy <lina@client.example>',
      'To: helpdesk@corp.example',
      'Subject: Projector in room 4 is dead',
      'Message-ID: <filtered-1@client.example>',
      'Auto-Submitted: auto-generated',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The projector in room 4 shows nothing.',
      '',
    ].join('\r\n');
    await desk.services.store.filteredMail.addMany([
      {
        mailbox: 'INBOX',
        uid: 7,
        messageId: '<filtered-1@client.example>',
        sender: 'lina@client.example',
        subject: 'Projector in room 4 is dead',
        reasonCode: 'automatic',
        reason: 'Auto-Submitted: auto-generated (RFC 3834); it answers no open ticket',
        receivedAt: new Date(),
        raw: Buffer.from(raw),
        category: null,
        urgency: null,
        deskAddresses: ['helpdesk@corp.example'],
      },
    ]);
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/quarantine?lang=fr`);
    await expect(page.getByRole('heading', { name: 'Courrier filtré' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: /Ouvrir un ticket/ }).count()).resolves.toBe(1);
    await page.goto(`${web.base}/quarantine?lang=en`);
    await expect(page.getByRole('heading', { name: 'Filtered mail' }).count()).resolves.toBe(1);
    const row = page.getByRole('row', { name: /lina@client\.example/ });
    await expect(row.textContent()).resolves.toContain('automatic or list mail');
    await expect(row.textContent()).resolves.toContain('Projector in room 4 is dead');
    expect(await checkAccessibility(page)).toEqual([]);

    await row.getByRole('button', { name: /Open a ticket/ }).click();
    await page.waitForURL(/\/tickets\/\d+$/);
    const number = Number(new URL(page.url()).pathname.split('/').pop());
    const ticket = await api('get', `/api/tickets/${number}`);
    expect(ticket.body).toMatchObject({ channel: 'email', subject: 'Projector in room 4 is dead' });
    expect(ticket.body.requester).toMatchObject({ email: 'lina@client.example' });
    await page.goto(`${web.base}/quarantine`);
    const after = page.getByRole('row', { name: /lina@client\.example/ });
    await expect(after.getByRole('button', { name: /Open a ticket/ }).count()).resolves.toBe(0);
    await expect(after.textContent()).resolves.toContain('Ticket opened');
    expect(errors).toEqual([]);
    await done();
  });
});

describe('/rules', () => {
  it('edits an SLA target (the API shows it), refuses a bad one beside its field with 422', async () => {
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/rules`);
    await page.getByLabel('Response target of P2, in minutes').fill('45');
    await page.getByRole('button', { name: 'Save SLA targets' }).click();
    await page.waitForURL(`${web.base}/rules#sla`);
    const sla = await api('get', '/api/rules/sla-targets');
    expect(sla.body.P2).toEqual({ responseMinutes: 45, resolutionMinutes: 480, aroundTheClock: false });
    expect(sla.body.P1.aroundTheClock).toBe(true);
    await expect(page.getByLabel('Response target of P2, in minutes').inputValue()).resolves.toBe('45');

    await page.getByLabel('Resolution target of P3, in minutes').fill('0');
    const answer = page.waitForResponse((r) => r.url().endsWith('/rules/sla-targets'));
    await page.getByRole('button', { name: 'Save SLA targets' }).click();
    expect((await answer).status()).toBe(422);
    const field = page.getByLabel('Resolution target of P3, in minutes');
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(field.inputValue()).resolves.toBe('0');
    await expect(page.locator('#sla-targets-P3-resolutionMinutes-error').textContent()).resolves.toContain('must be more than 0');
    expect(await checkAccessibility(page)).toEqual([]);
    expect((await api('get', '/api/rules/sla-targets')).body.P3.resolutionMinutes).toBe(1440);
    // The refused form's address, asked again in the other language, leads back to the page.
    await page.getByRole('link', { name: 'Français' }).click();
    await page.waitForURL(`${web.base}/rules`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Règles');
    expect(errors).toEqual([]);
    await done();
  });

  it('edits the matrix, offer timeouts, holidays and a category', async () => {
    const { page, errors, done } = await coordinator();
    await page.goto(`${web.base}/rules`);
    await page.getByLabel('Priority for impact low and urgency low').selectOption('P3');
    await page.getByRole('button', { name: 'Save matrix' }).click();
    await page.waitForURL(/\/rules#matrix$/);
    expect((await api('get', '/api/rules/priority-matrix')).body.low.low).toBe('P3');

    await page.getByLabel('Offer timeout of P4, in minutes').fill('25');
    await page.getByRole('button', { name: 'Save offer timeouts' }).click();
    await page.waitForURL(/\/rules#offers$/);
    expect((await api('get', '/api/rules/offer-timeouts')).body.timeouts.P4).toBe(25);

    await page.getByRole('textbox', { name: /^Holidays/ }).fill('2026-12-25\n2027-01-01');
    await page.getByRole('button', { name: 'Save holidays' }).click();
    await page.waitForURL(/\/rules#holidays$/);
    expect((await api('get', '/api/rules/calendar')).body).toEqual({ holidays: ['2026-12-25', '2027-01-01'] });

    await page.getByRole('link', { name: 'Edit security' }).click();
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('security');
    await page.getByLabel('Starting tier').selectOption('3');
    await page.getByRole('button', { name: 'Save category' }).click();
    await page.waitForURL(/\/rules#categories$/);
    expect((await api('get', '/api/categories/security')).body).toMatchObject({ name: 'security', startTier: 3 });
    expect(errors).toEqual([]);
    await done();
  });
});

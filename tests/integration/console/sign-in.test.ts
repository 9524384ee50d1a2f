import request from 'supertest';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { checkAccessibility, openBrowser, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';

let desk: TestDesk;
let browser: Browser;
let web: RunningConsole;

beforeAll(async () => {
  desk = await createTestDesk({ PUBLIC_URL: 'https://desk.example' });
  [browser, web] = await Promise.all([openBrowser(), startConsole(desk)]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await desk?.close();
});

/** Signs in with supertest; returns the cookie header to send and the page's CSRF secret. */
async function session(token: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await request(desk.app).post('/login').type('form').send({ token });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/');
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('helpdesk_session='));
  expect(setCookie).toBeDefined();
  return { cookie: (setCookie ?? '').split(';')[0] ?? '', setCookie: setCookie ?? '' };
}

describe('signing in to the console', () => {
  it('sets an HttpOnly, SameSite=Strict, Secure (https PUBLIC_URL) cookie for a valid token', async () => {
    const { setCookie } = await session(COORDINATOR_TOKEN);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
  });

  it('shows the form again with an error and 401 for a wrong token, and sets no session', async () => {
    const res = await request(desk.app).post('/login?lang=en').type('form').send({ token: 'nope' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('This token is unknown or revoked.');
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('helpdesk_session');
  });

  it('lets the session cookie read the API, and refuses a change from a foreign origin (403)', async () => {
    const { cookie } = await session(COORDINATOR_TOKEN);
    const list = await request(desk.app).get('/api/tickets').set('Cookie', cookie);
    expect(list.status).toBe(200);
    const body = { subject: 'Printer', description: 'jammed', requester: { email: 'ann@corp.example' } };
    const forged = await request(desk.app).post('/api/tickets').set('Cookie', cookie).set('Origin', 'https://evil.example').send(body);
    expect(forged.status).toBe(403);
    const noOrigin = await request(desk.app).post('/api/tickets').set('Cookie', cookie).send(body);
    expect(noOrigin.status).toBe(403);
    const ours = await request(desk.app).post('/api/tickets').set('Cookie', cookie).set('Origin', 'https://desk.example').send(body);
    expect(ours.status).toBe(201);
    const total = await request(desk.app).get('/api/tickets').set(bearer(COORDINATOR_TOKEN));
    expect(total.body.total).toBe(1);
  });

  it('refuses a console form posted from a foreign origin without the CSRF token (403), and the session lives on', async () => {
    const { cookie } = await session(COORDINATOR_TOKEN);
    const forged = await request(desk.app)
      .post('/logout')
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({});
    expect(forged.status).toBe(403);
    const wrongSecret = await request(desk.app).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: 'guess' });
    expect(wrongSecret.status).toBe(403);
    expect((await request(desk.app).get('/api/tickets').set('Cookie', cookie)).status).toBe(200);
  });

  it('ends the session on sign-out: the cookie no longer reads the API', async () => {
    const { cookie } = await session(COORDINATOR_TOKEN);
    const out = await request(desk.app).post('/logout').set('Cookie', cookie).set('Origin', 'https://desk.example').type('form').send({});
    expect(out.status).toBe(303);
    expect((await request(desk.app).get('/api/tickets').set('Cookie', cookie)).status).toBe(401);
  });

  it('chooses the language by ?lang=, then its cookie, then Accept-Language, then HELPDESK_LANGUAGE (fr)', async () => {
    expect((await request(desk.app).get('/login')).text).toContain('Jeton d&#39;API');
    expect((await request(desk.app).get('/login').set('Accept-Language', 'en-GB,en;q=0.9,fr;q=0.5')).text).toContain('API token');
    const asked = await request(desk.app).get('/login?lang=en').set('Accept-Language', 'fr');
    expect(asked.text).toContain('API token');
    const remembered = String(asked.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    expect((await request(desk.app).get('/login').set('Cookie', remembered).set('Accept-Language', 'fr')).text).toContain('API token');
  });

  it('renders the sign-in page in both languages in Chromium with no console error and no serious accessibility violation', async () => {
    const page = await browser.newPage();
    const errors = watchConsoleErrors(page);
    for (const [lang, label] of [
      ['en', 'API token'],
      ['fr', "Jeton d'API"],
    ] as const) {
      await page.goto(`${web.base}/login?lang=${lang}`);
      await expect(page.getByLabel(label).count()).resolves.toBe(1);
      expect(await checkAccessibility(page)).toEqual([]);
    }
    await page.getByLabel("Jeton d'API").fill('wrong');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Ce jeton est inconnu');
    expect(errors).toEqual([]);
    await page.close();
  });
});

import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { waitFor } from '../../support/wait.js';
import { auth, createNotifyDesk, PUBLIC_URL, ticketDetail, type NotifyDesk } from '../notify/notify-desk.js';

/**
 * Issue 16, self-service: a new ticket's acknowledgement suggests the published articles that
 * match it, each with a signed single-use link whose page resolves the ticket as self-service.
 */

let nd: NotifyDesk;
const ids: Record<string, string> = {};

async function write(article: Record<string, unknown>): Promise<string> {
  const res = await request(nd.desk.app).post('/api/articles').set(auth).send(article);
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

beforeAll(async () => {
  nd = await createNotifyDesk();
  await nd.start();
  ids.enPassword = await write({
    title: 'Forgotten password: reset it yourself',
    body: 'Open the **reset page**, type your login and follow the link you receive by email.\n\n<script>alert("x")</script>',
    language: 'en',
    tags: ['password', 'account'],
    category: 'accounts',
    published: true,
  });
  ids.frPassword = await write({
    title: 'Mot de passe oublié : le réinitialiser soi-même',
    body: 'Ouvrez la page de réinitialisation du mot de passe et suivez le lien reçu par courriel.',
    language: 'fr',
    tags: ['compte'],
    published: true,
  });
  ids.vpn = await write({ title: 'VPN connection drops', body: 'Update the VPN client.', language: 'en', published: true });
  ids.draft = await write({ title: 'Password policy (draft)', body: 'Passwords expire every 90 days.', language: 'en' });
});
afterAll(async () => {
  await nd?.close();
});

const CODE_LINK = new RegExp(`${PUBLIC_URL}/kb/s/([A-Za-z0-9_-]{28})`, 'g');
const codesIn = (text: string) => [...text.matchAll(CODE_LINK)].map((m) => m[1]!);

async function eventsOf(ticketId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return nd.desk.sequelize.query(`SELECT type, data FROM ticket_events WHERE ticket_id = $ticketId ORDER BY id`, {
    bind: { ticketId },
    type: QueryTypes.SELECT,
  });
}

describe('the acknowledgement of an email about a forgotten password', () => {
  const ALICE = 'alice@example.com';
  let ticketId = '';
  let codes: string[] = [];

  it('suggests the matching published article with its link, and neither a draft nor an unrelated one', async () => {
    const opened = await openTicket(nd.desk.services.tickets, {
      channel: 'email',
      subject: 'Forgot my password',
      description: 'Hello, I forgot my password this morning and cannot log in to my account. Can you help?',
      requester: { name: 'Alice Martin', email: ALICE, language: 'en' },
    });
    if (!opened.created) throw new Error('not created');
    ticketId = opened.ticket.id;
    const mail = await waitFor('the acknowledgement', () => nd.receiver.messages.find((m) => m.envelope.to.includes(ALICE)) ?? null);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('Forgotten password: reset it yourself');
    // The French article shares no word with an English email: it is not suggested.
    expect(text).not.toContain('Mot de passe oublié');
    expect(text).not.toContain('VPN');
    expect(text).not.toContain('Password policy');
    codes = codesIn(text);
    expect(codes).toHaveLength(1);
    expect(codesIn(String(mail.parsed.html))).toEqual(codes);
  });

  it('stores the text with the codes masked: neither the outbox nor the recorded message holds one', async () => {
    const [stored] = await nd.desk.sequelize.query<{ rendered: string; bodies: string }>(
      `SELECT (SELECT string_agg(rendered::text, ' ') FROM outbox WHERE ticket_id = $ticketId) AS rendered,
              (SELECT string_agg(body, ' ') FROM messages WHERE ticket_id = $ticketId) AS bodies`,
      { bind: { ticketId }, type: QueryTypes.SELECT },
    );
    expect(stored?.rendered).toContain(`${PUBLIC_URL}/kb/s/1***`);
    for (const code of codes) {
      expect(stored?.rendered).not.toContain(code);
      expect(stored?.bodies ?? '').not.toContain(code);
    }
  });

  it('the link’s page shows the article and the button; opening it changes nothing', async () => {
    const before = await eventsOf(ticketId);
    const page = await request(nd.desk.app).get(`/kb/s/${codes[0]}`).query({ lang: 'en' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong>reset page</strong>');
    expect(page.text).toContain('This solved my problem');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;');
    expect(await eventsOf(ticketId)).toEqual(before);
    expect((await ticketDetail(nd.desk, ticketId)).status).not.toBe('resolved');
  });

  it('the button resolves the ticket as self-service, once: the second use changes nothing', async () => {
    const solved = await request(nd.desk.app).post(`/kb/s/${codes[0]}/solved`).type('form').send({});
    expect(solved.status).toBe(200);
    const ticket = await ticketDetail(nd.desk, ticketId);
    expect(ticket.status).toBe('resolved');
    const resolved = ticket.events.filter((e) => e.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.data).toMatchObject({ via: 'self-service', articleId: ids.enPassword });
    // The notifier records the first use's message (a `notified` event) whenever it sends it: not a change.
    const changes = async () => (await eventsOf(ticketId)).filter((e) => e.type !== 'notified');
    const events = await changes();

    const again = await request(nd.desk.app).post(`/kb/s/${codes[0]}/solved`).type('form').send({});
    expect(again.status).toBe(410);
    expect(await changes()).toEqual(events);
    const [owed] = await nd.desk.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE ticket_id = $ticketId AND kind = 'requester.resolved'`,
      { bind: { ticketId }, type: QueryTypes.SELECT },
    );
    expect(owed?.n).toBe(1);
    const page = await request(nd.desk.app).get(`/kb/s/${codes[0]}`);
    expect(page.text).not.toContain('<button');
  });

  it('a forged or altered code opens nothing', async () => {
    const forged = `${codes[0]!.slice(0, 27)}${codes[0]!.endsWith('A') ? 'B' : 'A'}`;
    expect((await request(nd.desk.app).get(`/kb/s/${forged}`)).status).toBe(404);
    expect((await request(nd.desk.app).post(`/kb/s/${forged}/solved`).type('form').send({})).status).toBe(404);
  });
});

describe('the SMS of a call or a text', () => {
  it('carries the best article, in the requester’s language, with a link whose page speaks it', async () => {
    const PHONE = '+33622222222';
    const opened = await openTicket(nd.desk.services.tickets, {
      channel: 'sms',
      subject: 'Mot de passe oublié',
      description: "J'ai oublié mon mot de passe, je ne peux plus me connecter.",
      requester: { phone: PHONE, language: 'fr' },
    });
    if (!opened.created) throw new Error('not created');
    const sms = await waitFor('the acknowledgement SMS', () => nd.standIn.messages.find((m) => m.to === PHONE) ?? null);
    const codes = codesIn(sms.body);
    expect(codes).toHaveLength(1);
    const page = await request(nd.desk.app).get(`/kb/s/${codes[0]}`).query({ lang: 'fr' });
    expect(page.text).toContain('Mot de passe oublié : le réinitialiser soi-même');
    expect(page.text).toContain('Cela a résolu mon problème');
  });
});

describe('the requester’s language first', () => {
  it('lists the article in their language before the other language’s, both matching', async () => {
    await write({ title: 'Outlook ne démarre plus', body: 'Réparez le profil Outlook.', language: 'fr', published: true });
    await write({ title: 'Outlook does not start', body: 'Repair the Outlook profile.', language: 'en', published: true });
    for (const [language, address, first, second] of [
      ['fr', 'chloe@example.com', 'Outlook ne démarre plus', 'Outlook does not start'],
      ['en', 'dan@example.com', 'Outlook does not start', 'Outlook ne démarre plus'],
    ] as const) {
      await openTicket(nd.desk.services.tickets, {
        channel: 'email',
        subject: 'Outlook',
        description: 'Outlook !',
        requester: { email: address, language },
      });
      const mail = await waitFor(
        `the acknowledgement to ${address}`,
        () => nd.receiver.messages.find((m) => m.envelope.to.includes(address)) ?? null,
      );
      const text = mail.parsed.text ?? '';
      expect(text).toContain(second);
      expect(text.indexOf(first)).toBeLessThan(text.indexOf(second));
    }
  });
});

describe('public article pages', () => {
  it('show a published article to anyone, and no draft', async () => {
    const page = await request(nd.desk.app).get(`/kb/${ids.vpn}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('VPN connection drops');
    expect((await request(nd.desk.app).get(`/kb/${ids.draft}`)).status).toBe(404);
    expect((await request(nd.desk.app).get('/kb/not-an-id')).status).toBe(404);
  });
});

describe('a technician naming the article that solved a ticket', () => {
  it('puts it in the resolved event', async () => {
    const opened = await request(nd.desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'VPN drops', description: 'It drops.', requester: { name: 'Bob', email: 'bob@example.com' } });
    expect(opened.status).toBe(201);
    const id = (opened.body as { id: string }).id;
    const resolved = await request(nd.desk.app)
      .post(`/api/tickets/${id}/resolve`)
      .set(auth)
      .send({ resolution: 'Client updated', articleId: ids.vpn });
    expect(resolved.status).toBe(200);
    const ticket = await ticketDetail(nd.desk, id);
    expect(ticket.events.find((e) => e.type === 'resolved')?.data).toMatchObject({ articleId: ids.vpn });
    const unknown = await request(nd.desk.app).post(`/api/tickets/${id}/reopen`).set(auth).send({});
    expect(unknown.status).toBe(200);
    const refused = await request(nd.desk.app)
      .post(`/api/tickets/${id}/resolve`)
      .set(auth)
      .send({ resolution: 'x', articleId: '00000000-0000-4000-8000-000000000000' });
    expect(refused.status).toBe(400);
  });
});

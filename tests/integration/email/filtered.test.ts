import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOwnMessageId } from '../../../src/mail/message-id.js';
import type { FilteredMail as Filtered } from '../../../src/store/filtered-mail-repository.js';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { waitFor } from '../../support/wait.js';
import {
  countRows,
  createMailDesk,
  DESK_DOMAIN,
  fixture,
  mail,
  newMessageId,
  recordOutbound,
  ticketsFrom,
  type MailDesk,
} from './mail-desk.js';

/**
 * Nothing silently dropped (CONTRACT.md "Email: nothing silently dropped"): what opens no ticket and
 * lands on none is filed as filtered mail with its reason, listed by GET /api/filtered, answered by
 * nobody, and a coordinator can still turn it into a ticket. Real Dovecot, the mail role's reader.
 */
let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk();
  await m.startReader();
});
afterAll(async () => {
  await m?.close();
});

const api = () => request(m.desk.app);

/** The delay notice fixture's own Message-ID, made fresh per delivery. */
const DELAYED_ID = '20260303160009.4ZkG7h8I9j0z9sJk@mx1.acme.example';

async function filtered(query = ''): Promise<{ items: Filtered[]; total: number }> {
  const res = await api().get(`/api/filtered${query}`).set(bearer(COORDINATOR_TOKEN));
  expect(res.status).toBe(200);
  return res.body as { items: Filtered[]; total: number };
}

async function filedAs(messageId: string): Promise<Filtered> {
  const page = await filtered('?limit=200');
  const found = page.items.filter((f) => f.messageId === `<${messageId}>`);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('mail that opens no ticket and lands on none', () => {
  it('is filed with its reason, opens no ticket and sends nothing: a bounce, an auto-reply, list mail, our own mail come back', async () => {
    await m.caughtUp();
    const ticketsBefore = await countRows(m.desk, 'tickets');
    const outboxBefore = await countRows(m.desk, 'outbox');
    const messagesBefore = await countRows(m.desk, 'messages');

    // A delivery report about an email the desk never sent.
    const bounceId = newMessageId('mx1.client.example');
    await m.deliver(fixture('dsn-postfix-failed.eml', { '20260303120005.4ZkF6g7H8i9z9sIj@mx1.acme.example': bounceId }));
    const autoId = newMessageId();
    await m.deliver(
      mail({
        from: 'away@client.example',
        subject: 'Out of office',
        body: 'I am away until Monday.',
        messageId: autoId,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    const listId = newMessageId('lists.client.example');
    await m.deliver(
      mail({
        from: 'Users list <users@lists.client.example>',
        subject: '[users] Printer driver 4.2 released',
        body: 'A new driver is out.',
        messageId: listId,
        headers: {
          Precedence: 'list',
          'List-Id': 'Users <users.lists.client.example>',
          'List-Unsubscribe': '<mailto:leave@lists.client.example>',
        },
      }),
    );
    const loopId = newOwnMessageId(DESK_DOMAIN);
    await m.deliver(
      mail({ from: `Helpdesk <helpdesk@${DESK_DOMAIN}>`, subject: '[HD-9999] Your request', body: 'We got it.', messageId: loopId }),
    );
    await m.caughtUp();

    expect((await filedAs(bounceId)).reason).toBe('bounce');
    const auto = await filedAs(autoId);
    expect(auto).toMatchObject({ reason: 'automatic', from: 'away@client.example', subject: 'Out of office' });
    expect(auto.detail).toContain('Auto-Submitted');
    expect((await filedAs(listId)).reason).toBe('automatic');
    expect((await filedAs(loopId)).reason).toBe('loop');
    expect(await countRows(m.desk, 'tickets')).toBe(ticketsBefore);
    expect(await countRows(m.desk, 'messages')).toBe(messagesBefore);
    // Nothing queued: the outbox is all the desk ever sends.
    expect(await countRows(m.desk, 'outbox')).toBe(outboxBefore);
  });

  it('is listed newest first, a page at a time, with the total', async () => {
    const all = await filtered('?limit=200');
    expect(all.total).toBeGreaterThanOrEqual(4);
    const times = all.items.map((f) => Date.parse(f.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const second = await filtered('?limit=1&offset=1');
    expect(second.total).toBe(all.total);
    expect(second.items.map((f) => f.id)).toEqual([all.items[1]?.id]);
    const refused = await api().get('/api/filtered?limit=201').set(bearer(COORDINATOR_TOKEN));
    expect(refused.status).toBe(400);
  });

  it('is filed once however often it is delivered', async () => {
    const id = newMessageId();
    const raw = mail({
      from: 'robot@client.example',
      subject: 'Weekly digest',
      body: 'Digest.',
      messageId: id,
      headers: { Precedence: 'bulk' },
    });
    await m.deliver(raw);
    await m.deliver(raw);
    await m.caughtUp();
    await filedAs(id);
  });
});

describe('a delivery report where nothing failed', () => {
  it('marks nothing, lands on no ticket and is filed', async () => {
    await m.deliver(mail({ from: 'olga@client.example', subject: 'Scanner offline', body: 'The scanner is offline.' }));
    const [ticket] = await waitFor('a ticket from olga', async () => {
      const rows = await ticketsFrom(m.desk, 'olga@client.example');
      return rows.length > 0 && rows;
    });
    const ours = await recordOutbound(m.desk, ticket!.id, 'olga@client.example');
    await m.caughtUp();
    const eventsBefore = await countRows(m.desk, 'ticket_events WHERE ticket_id = :id', { id: ticket!.id });
    const reportId = newMessageId('mx1.client.example');
    await m.deliver(
      fixture('dsn-postfix-delayed.eml', {
        'hd-1049.20260303T120000.a36b7d@helpdesk.acme.example': ours,
        'hd-1053.20260303T115840.7e9f0a@helpdesk.acme.example': ours,
        'hd-1050.20260303T130000.c58d9e@helpdesk.acme.example': ours,
        [DELAYED_ID]: reportId,
      }),
    );
    await m.caughtUp();
    expect((await filedAs(reportId)).reason).toBe('bounce');
    expect(await countRows(m.desk, 'ticket_events WHERE ticket_id = :id', { id: ticket!.id })).toBe(eventsBefore);
    expect(await countRows(m.desk, "messages WHERE external_id = :id AND status = 'failed'", { id: `<${ours}>` })).toBe(0);
  });
});

describe('list mail that threads to a ticket', () => {
  it('lands on it and tells nobody', async () => {
    await m.deliver(mail({ from: 'Nora <nora@client.example>', subject: 'Mailing list bounces', body: 'Our list rejects me.' }));
    const [ticket] = await waitFor('a ticket from nora', async () => {
      const rows = await ticketsFrom(m.desk, 'nora@client.example');
      return rows.length > 0 && rows;
    });
    const ours = await recordOutbound(m.desk, ticket!.id, 'nora@client.example');
    await m.caughtUp();
    const outboxBefore = await countRows(m.desk, 'outbox');
    const listId = newMessageId('lists.client.example');
    await m.deliver(
      mail({
        from: 'Staff list <staff@lists.client.example>',
        subject: 'Re: Mailing list bounces',
        body: 'Posted to the list.',
        messageId: listId,
        inReplyTo: ours,
        headers: { Precedence: 'list', 'List-Id': 'Staff <staff.lists.client.example>' },
      }),
    );
    await m.caughtUp();
    const detail = await api().get(`/api/tickets/${ticket!.number}`).set(bearer(COORDINATOR_TOKEN));
    const page = await filtered('?limit=200');
    expect(page.items.filter((f) => f.messageId === `<${listId}>`)).toEqual([]);
    expect(detail.body.messages.map((msg: { externalId: string }) => msg.externalId)).toContain(listId);
    expect(await countRows(m.desk, 'outbox')).toBe(outboxBefore);
  });
});

describe('a person turning filtered mail into a ticket', () => {
  it('opens the ticket the email would have opened, acknowledged, once; again is a 409 naming it', async () => {
    const id = newMessageId();
    await m.deliver(
      mail({
        from: 'Hugo Petit <hugo@client.example>',
        subject: 'Badge reader broken',
        body: 'The badge reader at the entrance refuses every badge.',
        messageId: id,
        headers: { 'X-Auto-Response-Suppress': 'All' },
      }),
    );
    await m.caughtUp();
    const row = await filedAs(id);
    expect(row.reason).toBe('automatic');
    expect(await ticketsFrom(m.desk, 'hugo@client.example')).toEqual([]);

    const opened = await api().post(`/api/filtered/${row.id}/ticket`).set(bearer(COORDINATOR_TOKEN));
    expect(opened.status).toBe(201);
    const ticket = opened.body as { id: string; number: number; reference: string; channel: string; subject: string; status: string };
    expect(ticket).toMatchObject({ channel: 'email', subject: 'Badge reader broken', status: 'new' });
    const detail = await api().get(`/api/tickets/${ticket.number}`).set(bearer(COORDINATOR_TOKEN));
    expect(detail.body.requester).toMatchObject({ email: 'hugo@client.example', name: 'Hugo Petit' });
    expect(detail.body.messages.map((msg: { body: string }) => msg.body)).toEqual([
      'The badge reader at the entrance refuses every badge.',
    ]);
    const outbox = await m.desk.services.store.outbox.forTicket(ticket.id);
    expect(outbox.map((o) => o.recipient)).toContain('hugo@client.example');

    const again = await api().post(`/api/filtered/${row.id}/ticket`).set(bearer(COORDINATOR_TOKEN));
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain(ticket.reference);
    expect(await ticketsFrom(m.desk, 'hugo@client.example')).toHaveLength(1);
    expect((await filedAs(id)).ticketId).toBe(ticket.id);

    const loop = (await filtered('?limit=200')).items.find((f) => f.reason === 'loop');
    const ours = await api().post(`/api/filtered/${loop!.id}/ticket`).set(bearer(COORDINATOR_TOKEN));
    expect(ours.status).toBe(422);

    const unknown = await api()
      .post(`/api/filtered/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/ticket`)
      .set(bearer(COORDINATOR_TOKEN));
    expect(unknown.status).toBe(404);
  });

  it('is for coordinators only', async () => {
    const page = await api().get('/api/filtered');
    expect(page.status).toBe(401);
  });
});

describe('the quarantine', () => {
  it('takes limit and offset and answers the total', async () => {
    const res = await api().get('/api/quarantine?limit=10&offset=0').set(bearer(COORDINATOR_TOKEN));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], total: 0 });
  });
});

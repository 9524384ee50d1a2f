import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { auth, changesOf, createApprovalDesk, detailOf, open, textDesk, ticketCount, type ApprovalDesk } from './approval-desk.js';

/**
 * Issue 17, approvals by SMS: the approver's `YES <n>` from their own phone approves the request,
 * which the routing worker then offers to a technician holding the item's category; a second
 * answer, a `NO <n>` without its reason, and a YES from a phone nobody asked change nothing and
 * open no ticket.
 */

let ad: ApprovalDesk;
const MANAGER = { name: 'Manon Lead', email: 'manon@example.com', phone: '+33655555555' };
const STRANGER = '+33677777777';
const techs = { printer: '', access: '' };

beforeAll(async () => {
  ad = await createApprovalDesk();
  await ad.start();
  for (const [key, name, skills] of [
    ['printer', 'Paul', ['printing']],
    ['access', 'Ada', ['access']],
  ] as const) {
    const res = await request(ad.desk.app)
      .post('/api/technicians')
      .set(auth)
      .send({ name, email: `${name.toLowerCase()}@desk.example.org`, tier: 1, skills, maxLoad: 3 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    techs[key] = (res.body as { id: string }).id;
  }
  await ad.startRouting();
});
afterAll(async () => {
  await ad?.close();
});

const accessRequest = () =>
  open(ad, {
    itemId: 'app-access',
    requester: { name: 'Alice Martin', email: 'alice@example.com', manager: MANAGER },
    fields: { application: 'SAP', accessLevel: 'read', reason: 'Month-end closing' },
  });

let sid = 0;
const text = (from: string, body: string) => textDesk(ad, from, body, `SM${String(++sid).padStart(32, '0')}`);

describe('an approver’s YES by SMS', () => {
  let number = 0;

  it('is asked by SMS with the YES/NO answers and the link, and the request waits unrouted', async () => {
    const ticket = await accessRequest();
    number = ticket.number;
    const sms = await waitFor('the SMS to the manager', () => ad.standIn.messages.find((m) => m.to === MANAGER.phone) ?? null);
    expect(sms.body).toContain(`YES ${number} / NO ${number} <reason>`);
    expect(sms.body).toMatch(/\/approvals\/[A-Za-z0-9_-]{43}$/);
    const t = await detailOf(ad, number);
    expect(t.status).toBe('awaiting_approval');
    expect(t.assignee).toBeNull();
  });

  it('approves the request, which is offered to the technician holding the item’s category', async () => {
    const reply = await text(MANAGER.phone, `yes ${number}`);
    expect(reply).toBe(`HD-${number} approved. Thank you: the desk takes it from here.`);
    const assigned = await waitFor('the offer', async () => {
      const t = await detailOf(ad, number);
      return t.status === 'assigned' ? t : null;
    });
    expect(assigned.assignee?.id).toBe(techs.access);
    expect(assigned.category).toBe('access');
    expect(assigned.events.filter((e) => e.type === 'approval')).toEqual([
      expect.objectContaining({ actor: `approver:${MANAGER.phone}`, data: { decision: 'approved', via: 'sms' } }),
    ]);
  });

  it('changes nothing on a second answer, and opens no ticket', async () => {
    const before = await changesOf(ad, number);
    const tickets = await ticketCount(ad);
    for (const body of [`NO ${number} changed my mind`, `OUI ${number}`]) {
      const reply = await text(MANAGER.phone, body);
      expect(reply).toBe(`HD-${number}: no approval is waiting for an answer from this phone. Nothing changed.`);
    }
    expect(await changesOf(ad, number)).toEqual(before);
    expect(await ticketCount(ad)).toBe(tickets);
  });
});

describe('answers that change nothing', () => {
  let number = 0;

  it('a YES from a phone nobody asked: told so, the request still waiting, no ticket opened', async () => {
    number = (await accessRequest()).number;
    const before = await changesOf(ad, number);
    const tickets = await ticketCount(ad);
    const reply = await text(STRANGER, `YES ${number}`);
    expect(reply).toBe(`HD-${number}: no approval is waiting for an answer from this phone. Nothing changed.`);
    expect(await changesOf(ad, number)).toEqual(before);
    expect(before.status).toBe('awaiting_approval');
    expect(await ticketCount(ad)).toBe(tickets);
  });

  it('a requester’s own text that reads like a NO lands on their ticket, and decides nothing', async () => {
    const requester = '+33688888888';
    await text(requester, 'Mon imprimante ne marche plus');
    const own = await waitFor('the requester’s ticket', async () => {
      const res = await request(ad.desk.app).get('/api/tickets').query({ channel: 'sms' }).set(auth);
      const items = (res.body as { items: { number: number; requester: { phone: string | null } }[] }).items;
      return items.find((t) => t.requester.phone === requester) ?? null;
    });
    const before = await changesOf(ad, number);
    const body = `Non ${number} fois que je redémarre, toujours rien`;
    expect(await text(requester, body)).not.toContain('approval');
    expect(await changesOf(ad, number)).toEqual(before);
    const mine = await detailOf(ad, own.number);
    expect(mine.messages.map((m) => m.body)).toContain(body);
  });

  it('a NO without its reason: asked for it, nothing decided', async () => {
    const before = await changesOf(ad, number);
    const reply = await text(MANAGER.phone, `no ${number}`);
    expect(reply).toBe(`HD-${number}: to reject it, give the reason: NO ${number} <reason>. Nothing changed yet.`);
    expect(await changesOf(ad, number)).toEqual(before);
  });

  it('a NO with its reason rejects the request, once; a redelivered text is not run twice', async () => {
    const body = `NON ${number} Pas avant l'audit`;
    const sidUsed = `SM${String(++sid).padStart(32, '0')}`;
    expect(await textDesk(ad, MANAGER.phone, body, sidUsed)).toBe(`HD-${number} rejected. The requester will be told your reason.`);
    const t = await detailOf(ad, number);
    expect(t.status).toBe('closed');
    expect(t.resolution).toBe("Pas avant l'audit");
    // Twilio redelivers the same MessageSid: no reply, nothing changes.
    const before = await changesOf(ad, number);
    expect(await textDesk(ad, MANAGER.phone, body, sidUsed)).toBe('');
    expect(await changesOf(ad, number)).toEqual(before);
  });
});

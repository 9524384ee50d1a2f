import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSettled, auth, createNotifyDesk, createTechnician, outboxRows, ticketDetail, type NotifyDesk } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 11, item 8: after an outage of the SMS channel, the backlog texted a technician an offer
 * for a ticket that had since gone to someone else (whose ACCEPT then failed), and the new owner
 * got the same offer twice. An offer is checked when its turn comes: one that ended is set aside
 * with why, and only the offer that stands goes out, once.
 */

let nd: NotifyDesk;
const PHONES = { ada: '+33611110001', bob: '+33611110002', cy: '+33611110003' };
let techs: Record<keyof typeof PHONES, { id: string; token: string }>;

beforeAll(async () => {
  nd = await createNotifyDesk();
  techs = {
    ada: await createTechnician(nd.desk, { name: 'Ada', email: 'ada@desk.example.org', phone: PHONES.ada }),
    bob: await createTechnician(nd.desk, { name: 'Bob', email: 'bob@desk.example.org', phone: PHONES.bob }),
    cy: await createTechnician(nd.desk, { name: 'Cy', email: 'cy@desk.example.org', phone: PHONES.cy }),
  };
});
afterAll(async () => {
  await nd?.close();
});

async function newTicket(subject: string): Promise<{ id: string; number: number }> {
  const res = await request(nd.desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, description: 'Plus rien ne sort.', requester: { name: 'Kim', email: 'kim@example.com' } });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: number };
}

async function assign(number: number, technicianId: string): Promise<void> {
  const res = await request(nd.desk.app).patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: technicianId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const textsAbout = (phone: string, number: number) => nd.standIn.messages.filter((m) => m.to === phone && m.body.includes(`HD-${number}`));

describe('offers held back by an SMS outage', () => {
  it('go out only while they stand, and once each; the others are set aside with why', async () => {
    nd.standIn.failAll({ status: 503, code: 20503, message: 'Service Unavailable' });
    await nd.start();

    // Offered to Ada, then to Bob, then to Cy, then to Bob again: Bob owns it, offered twice.
    const moved = await newTicket('Imprimante du 2e en panne');
    await assign(moved.number, techs.ada.id);
    await assign(moved.number, techs.bob.id);
    await assign(moved.number, techs.cy.id);
    await assign(moved.number, techs.bob.id);
    // Offered to Cy, who took it with their own token before any text could reach them.
    const taken = await newTicket('Scanner bloqué');
    await assign(taken.number, techs.cy.id);
    const accepted = await request(nd.desk.app)
      .patch(`/api/tickets/${taken.number}`)
      .set({ Authorization: `Bearer ${techs.cy.token}` })
      .send({ status: 'in_progress' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);

    // The channel failed meanwhile: every offer was tried and waits for a retry (none mid-attempt,
    // so that no attempt judged before the changes above is still on its way to Twilio).
    await waitFor('every offer tried during the outage', async () => {
      const offers = (await outboxRows(nd.desk)).filter((r) => r.kind === 'technician.offer');
      return offers.length === 5 && offers.every((r) => r.attempts >= 1 && (r.status === 'pending' || r.status === 'superseded'));
    });
    expect(nd.standIn.messages).toHaveLength(0);

    nd.standIn.failAll(null);
    await waitFor('the backlog settled', () => allSettled(nd.desk), { timeoutMs: 15_000 });

    expect(textsAbout(PHONES.ada, moved.number)).toHaveLength(0);
    expect(textsAbout(PHONES.cy, moved.number)).toHaveLength(0);
    expect(textsAbout(PHONES.bob, moved.number)).toHaveLength(1);
    expect(textsAbout(PHONES.cy, taken.number)).toHaveLength(0);

    const rows = (await outboxRows(nd.desk, moved.id)).filter((r) => r.kind === 'technician.offer');
    // Bob's first offer ended when the ticket went to Cy (REASSIGNED), or, judged after Bob had it
    // back, is replaced by the newer one (REOFFERED): which depends on when its retry came up.
    expect(rows.map((r) => [r.recipient, r.status])).toEqual([
      [PHONES.ada, 'superseded'],
      [PHONES.bob, 'superseded'],
      [PHONES.cy, 'superseded'],
      [PHONES.bob, 'sent'],
    ]);
    expect(rows.map((r) => r.errorCode)).toEqual(['REASSIGNED', expect.stringMatching(/^(REASSIGNED|REOFFERED)$/), 'REASSIGNED', null]);
    const [cyOffer] = (await outboxRows(nd.desk, taken.id)).filter((r) => r.kind === 'technician.offer');
    expect([cyOffer?.status, cyOffer?.errorCode]).toEqual(['superseded', 'OFFER_ACCEPTED']);

    // Not lost silently: the ticket's history says what was set aside, and why.
    const detail = await ticketDetail(nd.desk, moved.number);
    const superseded = detail.events.filter((e) => e.type === 'notification_superseded');
    expect(superseded).toHaveLength(3);
    expect(superseded.every((e) => e.data.kind === 'technician.offer' && typeof e.data.reason === 'string')).toBe(true);
    expect(detail.messages.filter((m) => m.direction === 'out' && m.to === PHONES.bob)).toHaveLength(1);
  }, 40_000);
});

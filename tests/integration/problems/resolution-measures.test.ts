import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskDays } from '../../../src/console/pages/stats/series.js';
import { acceptTicket, declineTicket, resolveDecision } from '../../../src/tickets/actions.js';
import { applyChange, ticketIdOrThrow } from '../../../src/tickets/apply-change.js';
import { figuresOf } from '../../../src/store/stats-repository.js';
import { addSums, emptySums } from '../../../src/store/stats-series.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

/**
 * Issue #16's measures in GET /api/stats: first contact is a ticket resolved by its FIRST assignee,
 * never reassigned (even through nobody: declined, then offered to someone else), escalated or
 * reopened; beside it the share resolved at tier 1; and the self-service rate, the resolved tickets
 * resolved by an article link. The console's kept daily sums say the same.
 */

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);
const SKILLS = ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'];

async function open(subject: string): Promise<number> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, requester: { email: 'ines@client.example' } });
  expect(res.status).toBe(201);
  return res.body.number as number;
}

async function technician(name: string): Promise<string> {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(auth)
    .send({ name, email: `${name.toLowerCase()}@desk.example.org`, tier: 1, skills: SKILLS, maxLoad: 10 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const assign = (number: number, assigneeId: string) =>
  request(desk.app).patch(`/api/tickets/${number}`).set(auth).send({ assigneeId }).expect(200);
const resolve = (number: number) =>
  request(desk.app).post(`/api/tickets/${number}/resolve`).set(auth).send({ resolution: 'Done' }).expect(200);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

describe('resolution measures', () => {
  it('counts first contact, tier 1 and self-service as the contract defines them', async () => {
    const deps = desk.services.tickets;
    const ana = await technician('Ana');
    const ben = await technician('Ben');

    // Resolved by its first assignee: first contact.
    const first = await open('Mouse broken');
    await assign(first, ana);
    await acceptTicket(deps, String(first), ana);
    await resolve(first);

    // Declined (back to nobody), then offered to someone else: reassigned, not first contact.
    const declined = await open('Monitor flickers');
    await assign(declined, ana);
    await declineTicket(deps, String(declined), ana, 'not my area');
    await assign(declined, ben);
    await acceptTicket(deps, String(declined), ben);
    await resolve(declined);

    // Resolved with nobody assigned: nobody resolved it at first contact.
    const unassigned = await open('Password reset');
    await resolve(unassigned);

    // Resolved by the requester through an article link (the event the self-service page writes).
    const selfServed = await open('How do I map a drive?');
    await applyChange(deps, await ticketIdOrThrow(deps, String(selfServed)), 'requester:self-service', (ticket, now) =>
      resolveDecision(ticket, now, 'Solved by an article', { via: 'self-service', articleId: 'a1' }),
    );

    // Escalated to tier 2 before its resolution: neither first contact nor tier 1.
    const escalated = await open('Server room too hot');
    await assign(escalated, ana);
    await request(desk.app).post(`/api/tickets/${escalated}/escalate`).set(auth).send({ reason: 'needs L2' }).expect(200);
    await resolve(escalated);

    await open('Still open');

    const from = new Date(Date.now() - 3600_000);
    const to = new Date(Date.now() + 3600_000);
    const res = await request(desk.app).get(`/api/stats?from=${from.toISOString()}&to=${to.toISOString()}`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      firstContactResolutionRate: 0.2,
      tier1ResolutionRate: 0.8,
      selfServiceRate: 0.2,
    });

    // The console adds up kept daily sums: the same figures.
    const timezone = desk.config.timezone;
    const days = await desk.services.store.stats.days(deskDays(from, to, timezone), timezone);
    const total = days.reduce((sums, day) => addSums(sums, day.sums), emptySums());
    expect(figuresOf(from, to, total)).toMatchObject({ firstContactResolutionRate: 0.2, tier1ResolutionRate: 0.8, selfServiceRate: 0.2 });
  });
});

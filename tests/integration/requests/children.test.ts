import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #17: a departure removes every access. Approved, it opens its tasks, each a ticket of its own
// routed to its category; it is resolved when the last of them is, once.

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

async function detail(key: number | string): Promise<TicketDetail> {
  const res = await request(desk.app).get(`/api/tickets/${key}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

async function resolve(number: number, resolution: string): Promise<void> {
  const res = await request(desk.app).post(`/api/tickets/${number}/resolve`).set(auth).send({ resolution });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function openDeparture(): Promise<number> {
  const res = await request(desk.app)
    .post('/api/requests')
    .set(auth)
    .send({
      item: 'departure',
      requester: { name: 'Hugo HR', email: 'hugo@corp.example', manager: { name: 'Dana', email: 'dana@corp.example' } },
      fields: { person: 'Leo Leaving', lastDay: '2026-12-31' },
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

describe('a request’s child tasks', () => {
  it('a departure opens its tasks once approved, and is resolved when they are', async () => {
    const number = await openDeparture();
    // Nothing is opened before the approval.
    expect((await detail(number)).request?.children).toEqual([]);

    const approved = await request(desk.app).post(`/api/tickets/${number}/approve`).set(auth).send({});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const parent = await detail(number);
    expect(parent.status).toBe('new');
    const childNumbers = parent.request?.children ?? [];
    expect(childNumbers).toHaveLength(4);

    const children = await Promise.all(childNumbers.map((n) => detail(n)));
    expect(children.map((c) => [c.subject, c.category, c.type, c.status, c.parentId])).toEqual([
      [`Disable the account (HD-${number})`, 'accounts', 'request', 'new', parent.id],
      [`Remove the application accesses (HD-${number})`, 'access', 'request', 'new', parent.id],
      [`Recover the laptop (HD-${number})`, 'hardware', 'request', 'new', parent.id],
      [`Deactivate the badge (HD-${number})`, 'security', 'request', 'new', parent.id],
    ]);
    // Each is routed on its own: its clocks run (the requests' targets) and routing is told of its creation.
    for (const c of children) {
      expect(c.sla.respondBy).not.toBeNull();
      expect(c.events.map((e) => e.type)).toEqual(['created']);
    }

    const [first, second, third, fourth] = childNumbers as [number, number, number, number];
    await resolve(first, 'Account disabled');
    await resolve(second, 'Accesses removed');
    await resolve(third, 'Laptop recovered');
    expect((await detail(number)).status).toBe('new');

    await resolve(fourth, 'Badge deactivated');
    const done = await detail(number);
    expect(done.status).toBe('resolved');
    expect(done.resolution).toContain(`HD-${first} Disable the account`);
    expect(done.resolution).toContain(`HD-${fourth} Deactivate the badge`);
    const resolved = done.events.filter((e) => e.type === 'resolved');
    expect(resolved).toEqual([
      expect.objectContaining({ actor: 'system:requests', data: expect.objectContaining({ tasks: childNumbers }) }),
    ]);

    // A task reopened and done again resolves the request no second time.
    const reopened = await request(desk.app).post(`/api/tickets/${fourth}/reopen`).set(auth).send({ reason: 'Badge still works' });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    await resolve(fourth, 'Badge deactivated, really');
    expect((await detail(number)).events.filter((e) => e.type === 'resolved')).toHaveLength(1);
  });

  it('a rejected departure opens no task', async () => {
    const number = await openDeparture();
    const rejected = await request(desk.app).post(`/api/tickets/${number}/reject`).set(auth).send({ comment: 'Leo stays after all' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const t = await detail(number);
    expect(t.status).toBe('closed');
    expect(t.request?.children).toEqual([]);
  });
});

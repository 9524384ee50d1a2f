import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

async function open(body: Record<string, unknown> = {}) {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({
      subject: 'Cannot print',
      description: 'The printer on floor 2 jams',
      requester: { name: 'Alice', email: 'alice@example.com' },
      ...body,
    });
  expect(res.status).toBe(201);
  return res.body as { number: number; reference: string; status: string; priority: string; id: string };
}

async function eventsOf(number: number): Promise<string[]> {
  const res = await request(desk.app).get(`/api/tickets/${number}`).set(auth);
  return (res.body.events as { type: string }[]).map((e) => e.type);
}

describe('tickets through the API', () => {
  it('opens a web ticket with a digit-only number, its reference and a creation event', async () => {
    const ticket = await open();
    expect(String(ticket.number)).toMatch(/^\d+$/);
    expect(ticket.reference).toBe(`HD-${ticket.number}`);
    expect(ticket).toMatchObject({ channel: 'web', status: 'new', category: 'printing', tier: 1 });
    const detail = await request(desk.app).get(`/api/tickets/${ticket.reference}`).set(auth);
    expect(detail.status).toBe(200);
    expect(detail.body.requester).toMatchObject({ name: 'Alice', email: 'alice@example.com' });
    expect(detail.body.events[0]).toMatchObject({ type: 'created', actor: 'coordinator' });
    expect(detail.body.sla.respondBy).not.toBeNull();
  });

  it('derives the priority from impact × urgency: high × high is P1, low × low is P4', async () => {
    expect((await open({ impact: 'high', urgency: 'high' })).priority).toBe('P1');
    expect((await open({ impact: 'low', urgency: 'low' })).priority).toBe('P4');
  });

  it('lists newest first, filters, and searches by text or number', async () => {
    const a = await open({ subject: 'VPN drops every hour', category: 'network' });
    const b = await open({ subject: 'Outlook asks for my password', urgency: 'high', impact: 'high' });
    const all = await request(desk.app).get('/api/tickets').set(auth);
    expect(all.body.items[0].number).toBe(b.number);
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const p1 = await request(desk.app).get('/api/tickets?priority=P1').set(auth);
    expect(p1.body.items.every((t: { priority: string }) => t.priority === 'P1')).toBe(true);
    const vpn = await request(desk.app).get('/api/tickets?q=vpn').set(auth);
    expect(vpn.body.items.map((t: { number: number }) => t.number)).toEqual([a.number]);
    const byNumber = await request(desk.app).get(`/api/tickets?q=HD-${b.number}`).set(auth);
    expect(byNumber.body.items.map((t: { number: number }) => t.number)).toEqual([b.number]);
    const page = await request(desk.app).get('/api/tickets?limit=1&offset=1').set(auth);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].number).toBe(a.number);
  });

  it('walks the whole lifecycle, every change visible in the events', async () => {
    const t = await open();
    const patched = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ urgency: 'high', impact: 'high' });
    expect(patched.body).toMatchObject({ priority: 'P1', urgency: 'high' });

    const escalated = await request(desk.app).post(`/api/tickets/${t.number}/escalate`).set(auth).send({ reason: 'needs a specialist' });
    expect(escalated.status).toBe(200);
    expect(escalated.body).toMatchObject({ tier: 2, priority: 'P1', status: 'new', assignee: null });

    const noNote = await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: '   ' });
    expect(noNote.status).toBe(422);
    expect(noNote.body.error.code).toBe('RESOLUTION_REQUIRED');

    const resolved = await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'Replaced the fuser' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'Replaced the fuser' });
    expect(resolved.body.resolvedAt).not.toBeNull();

    const closed = await request(desk.app).post(`/api/tickets/${t.number}/close`).set(auth).send({});
    expect(closed.body.status).toBe('closed');

    const reopened = await request(desk.app).post(`/api/tickets/${t.number}/reopen`).set(auth).send({ reason: 'jams again' });
    expect(reopened.body).toMatchObject({ status: 'new', resolvedAt: null, closedAt: null });

    expect(await eventsOf(t.number)).toEqual(['created', 'updated', 'escalated', 'resolved', 'status_changed', 'reopened']);
  });

  it('refuses illegal moves with a clear error and changes nothing', async () => {
    const t = await open();
    const close = await request(desk.app).post(`/api/tickets/${t.number}/close`).set(auth).send({});
    expect(close.status).toBe(409);
    expect(close.body.error).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(close.body.error.message).toMatch(/only a resolved ticket can be closed/);
    const reopen = await request(desk.app).post(`/api/tickets/${t.number}/reopen`).set(auth).send({});
    expect(reopen.status).toBe(409);
    const patch = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ status: 'resolved' });
    expect(patch.status).toBe(422);
    expect(await eventsOf(t.number)).toEqual(['created']);
  });

  it('pauses on pending and resumes, recording both moves', async () => {
    const t = await open();
    const pending = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ status: 'pending' });
    expect(pending.body.status).toBe('pending');
    const back = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ status: 'in_progress' });
    expect(back.body.status).toBe('in_progress');
    expect(back.body.sla.respondedAt).not.toBeNull();
    expect(await eventsOf(t.number)).toEqual(['created', 'status_changed', 'status_changed']);
  });

  it('adds notes to the history', async () => {
    const t = await open();
    const res = await request(desk.app).post(`/api/tickets/${t.number}/notes`).set(auth).send({ body: 'Called the user back' });
    expect(res.status).toBe(201);
    const detail = await request(desk.app).get(`/api/tickets/${t.number}`).set(auth);
    expect(detail.body.events[1]).toMatchObject({ type: 'note', data: { body: 'Called the user back', internal: true } });
  });

  it('answers 404 for an unknown ticket, by number or reference', async () => {
    for (const key of ['999999', 'HD-999999', 'nonsense']) {
      const res = await request(desk.app).get(`/api/tickets/${key}`).set(auth);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('TICKET_NOT_FOUND');
    }
  });
});

describe('bad input is refused at the edge, naming the field', () => {
  it('rejects malformed JSON with 400', async () => {
    const res = await request(desk.app).post('/api/tickets').set(auth).set('content-type', 'application/json').send('{"subject": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('rejects unknown fields with 400 naming them', async () => {
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'x', requester: { email: 'a@b.co' }, colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'colour' });
    expect(res.body.error.message).toContain('colour');
  });

  it('rejects a bad enum value naming the field', async () => {
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'x', requester: { email: 'a@b.co' }, urgency: 'extreme' });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('urgency');
  });

  it('rejects a requester without any contact', async () => {
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'x', requester: { name: 'Nobody' } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('requester');
  });

  it('rejects an unknown category', async () => {
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'x', requester: { email: 'a@b.co' }, category: 'plumbing' });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('category');
  });
});

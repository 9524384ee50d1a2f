import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../src/app.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

describe('outages', () => {
  it('announces, lists and ends an outage', async () => {
    const created = await request(desk.app)
      .post('/api/outages')
      .set(auth)
      .send({ title: 'Email down', message: 'We know about the email outage.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Email down', message: 'We know about the email outage.' });
    expect(created.body.since).toMatch(/^\d{4}-/);
    const list = await request(desk.app).get('/api/outages').set(auth);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(created.body.id);
    await request(desk.app).delete(`/api/outages/${created.body.id}`).set(auth).expect(204);
    const after = await request(desk.app).get('/api/outages').set(auth);
    expect(after.body.items.map((o: { id: string }) => o.id)).not.toContain(created.body.id);
    expect((await request(desk.app).delete(`/api/outages/${created.body.id}`).set(auth)).status).toBe(404);
  });

  it('names the outage in the acknowledgement owed to a new ticket’s requester', async () => {
    await request(desk.app).post('/api/outages').set(auth).send({ title: 'VPN outage', message: 'VPN is down' }).expect(201);
    const t = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'VPN', requester: { email: 'zoe@example.com' } });
    const rows = await desk.services.store.outbox.forTicket(t.body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'requester.created', channel: 'email', recipient: 'zoe@example.com' });
    expect(rows[0]?.payload).toMatchObject({ number: t.body.number, outages: ['VPN outage'] });
  });
});

describe('statistics', () => {
  it('counts by channel, priority, status and category and computes MTTR, FCR and SLA compliance', async () => {
    const open = async (subject: string, extra = {}) =>
      (
        await request(desk.app)
          .post('/api/tickets')
          .set(auth)
          .send({ subject, requester: { phone: '+33699999999' }, ...extra })
      ).body as {
        number: number;
      };
    const a = await open('Printer jam', { impact: 'low', urgency: 'low', category: 'printing' });
    const b = await open('Wifi down', { impact: 'high', urgency: 'high', category: 'network' });
    // First contact is a ticket resolved by its first assignee (issue #16): a has one.
    const tess = await request(desk.app)
      .post('/api/technicians')
      .set(auth)
      .send({ name: 'Tess', email: 'tess@desk.example.org', tier: 1, skills: ['printing'], maxLoad: 5 });
    await request(desk.app).patch(`/api/tickets/${a.number}`).set(auth).send({ assigneeId: tess.body.id }).expect(200);
    await request(desk.app).post(`/api/tickets/${a.number}/resolve`).set(auth).send({ resolution: 'Cleared' }).expect(200);
    await request(desk.app).post(`/api/tickets/${b.number}/escalate`).set(auth).send({ reason: 'L2' }).expect(200);
    await request(desk.app).post(`/api/tickets/${b.number}/resolve`).set(auth).send({ resolution: 'Rebooted AP' }).expect(200);

    const from = new Date(Date.now() - 3600_000).toISOString();
    const res = await request(desk.app)
      .get(`/api/stats?from=${encodeURIComponent(from)}`)
      .set(auth);
    expect(res.status).toBe(200);
    expect(res.body.byChannel.web).toBeGreaterThanOrEqual(2);
    expect(res.body.byCategory.printing).toBeGreaterThanOrEqual(1);
    expect(res.body.byStatus.resolved).toBeGreaterThanOrEqual(2);
    expect(res.body.mttrSeconds).toBeGreaterThanOrEqual(0);
    expect(res.body.mttaSeconds).toBeGreaterThanOrEqual(0);
    // a was resolved at first contact; b was escalated first.
    expect(res.body.firstContactResolutionRate).toBeGreaterThan(0);
    expect(res.body.firstContactResolutionRate).toBeLessThan(1);
    expect(res.body.slaCompliance).toBe(1);

    const future = await request(desk.app).get('/api/stats?from=2099-01-01T00:00:00Z&to=2099-02-01T00:00:00Z').set(auth);
    expect(future.body).toMatchObject({ byChannel: {}, mttrSeconds: null, firstContactResolutionRate: null });
    const backwards = await request(desk.app).get('/api/stats?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z').set(auth);
    expect(backwards.status).toBe(400);
  });
});

describe('health, readiness, metrics and the API document', () => {
  it('is healthy and ready when the database and Redis answer', async () => {
    expect((await request(desk.app).get('/health')).status).toBe(200);
    const ready = await request(desk.app).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({ database: true, redis: true });
  });

  it('exposes Prometheus metrics, labelled by route pattern rather than ticket number', async () => {
    await request(desk.app).get('/api/tickets/123456').set(auth);
    const res = await request(desk.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('helpdesk_http_requests_total');
    expect(res.text).toContain('route="/api/tickets/:id"');
    expect(res.text).not.toContain('123456');
    // The tickets opened earlier in this file, counted by the channel they came through.
    expect(res.text).toMatch(/helpdesk_tickets_opened_total\{channel="web"\} [1-9]/);
  });

  it('publishes an OpenAPI document with exactly the routes the API serves', async () => {
    const res = await request(desk.app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = apiRoutes(desk.services)
      .map((r) => `${r.method.toUpperCase()} /api${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    expect(documented).toEqual(served);
    for (const required of ['GET /api/tickets', 'POST /api/tickets/{id}/resolve', 'DELETE /api/technicians/{id}', 'GET /api/stats']) {
      expect(documented).toContain(required);
    }
    const create = res.body.paths['/api/tickets'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(expect.arrayContaining(['subject', 'requester']));
    expect(create.additionalProperties).toBe(false);
  });

  it('answers unknown API paths with a JSON 404 and /twilio with 503 while telephony is off', async () => {
    const res = await request(desk.app).get('/api/nothing-here').set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const twilio = await request(desk.app).post('/twilio/voice').type('form').send({ CallSid: 'CA1' });
    expect(twilio.status).toBe(503);
  });
});

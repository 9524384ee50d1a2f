import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #17: "GET /api/tickets?type=request and the stats split by type", as a coordinator sees them.

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);
const numbers = (res: request.Response) => (res.body.items as { number: number }[]).map((t) => t.number).sort((a, b) => a - b);

let incidents: number[];
let requests: number[];

async function open(subject: string): Promise<{ id: string; number: number }> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, requester: { email: 'nadia@example.com' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: number };
}

/**
 * A service request through the API: `app-access` waits for the requester's manager to approve it,
 * `other` needs no approval and is open (new) at once.
 */
async function openRequest(item: 'app-access' | 'other', what: string): Promise<number> {
  const fields = item === 'app-access' ? { application: what, accessLevel: 'read', reason: 'Sales figures' } : { description: what };
  const res = await request(desk.app)
    .post('/api/requests')
    .set(auth)
    .send({ item, requester: { email: 'nadia@example.com', manager: { email: 'boss@example.com' } }, fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toMatchObject({ type: 'request', status: item === 'app-access' ? 'awaiting_approval' : 'new' });
  return res.body.number as number;
}

beforeAll(async () => {
  desk = await createTestDesk();
  incidents = [(await open('Printer jammed')).number, (await open('VPN drops every hour')).number];
  requests = [await openRequest('app-access', 'CRM'), await openRequest('other', 'A second screen')];
});
afterAll(async () => {
  await desk?.close();
});

describe('GET /api/tickets?type=', () => {
  it('lists the service requests apart from the incidents, and both when asked', async () => {
    const onlyRequests = await request(desk.app).get('/api/tickets?type=request').set(auth);
    expect(onlyRequests.status).toBe(200);
    expect(numbers(onlyRequests)).toEqual(requests);
    expect(onlyRequests.body.total).toBe(2);
    expect(onlyRequests.body.items.every((t: { type: string }) => t.type === 'request')).toBe(true);

    const onlyIncidents = await request(desk.app).get('/api/tickets?type=incident').set(auth);
    expect(numbers(onlyIncidents)).toEqual(incidents);

    const both = await request(desk.app).get('/api/tickets?type=incident,request').set(auth);
    expect(numbers(both)).toEqual([...incidents, ...requests].sort((a, b) => a - b));
    // With the other filters: the request awaiting approval is the one of that status.
    const waiting = await request(desk.app).get('/api/tickets?type=request&status=awaiting_approval').set(auth);
    expect(numbers(waiting)).toEqual([requests[0]]);
  });

  it('refuses a type that does not exist, naming the parameter', async () => {
    const res = await request(desk.app).get('/api/tickets?type=change').set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^type: expected one or more of incident, request/);
  });
});

describe('the queue by type', () => {
  it('shows the open requests by type, and those awaiting approval only when asked', async () => {
    const page = { limit: 50, offset: 0 };
    const open = await desk.services.store.queue.list({ ...page, type: ['request'] });
    expect(open.items.map((i) => [i.number, i.type])).toEqual([[requests[1], 'request']]);
    const incidentsOnly = await desk.services.store.queue.list({ ...page, type: ['incident'] });
    expect(incidentsOnly.items.map((i) => i.number).sort((a, b) => a - b)).toEqual(incidents);

    const waiting = await desk.services.store.queue.list({ ...page, status: ['awaiting_approval'] });
    expect(waiting.items.map((i) => [i.number, i.status])).toEqual([[requests[0], 'awaiting_approval']]);
    expect(waiting.total).toBe(1);
    const everything = await desk.services.store.queue.list({ ...page, status: ['awaiting_approval', 'new'], q: 'CRM' });
    expect(everything.items.map((i) => i.number)).toEqual([requests[0]]);
  });
});

describe('GET /api/stats byType', () => {
  it('counts the incidents and the requests opened in the period', async () => {
    const res = await request(desk.app).get('/api/stats').set(auth);
    expect(res.status).toBe(200);
    expect(res.body.byType).toEqual({ incident: 2, request: 2 });
    // The other breakdowns count the same tickets.
    expect(Object.values(res.body.byChannel as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(4);

    const before = await request(desk.app).get('/api/stats?from=2020-01-01&to=2020-01-31').set(auth);
    expect(before.body.byType).toEqual({ incident: 0, request: 0 });
  });

  it('is in the daily sums the console adds up, computed and kept alike', async () => {
    // The desk's day (UTC here) of the first ticket: the four were opened within moments of it.
    const first = (await request(desk.app).get(`/api/tickets/${incidents[0]}`).set(auth)).body as { createdAt: string };
    const start = new Date(`${first.createdAt.slice(0, 10)}T00:00:00Z`);
    const days = [{ day: first.createdAt.slice(0, 10), start, end: new Date(start.getTime() + 86_400_000) }];
    const computed = await desk.services.store.stats.days(days, 'UTC');
    expect(computed[0]?.sums.byType).toEqual({ incident: 2, request: 2 });
    // Read again: from stats_days this time, and a new request changes that day's sums.
    const kept = await desk.services.store.stats.days(days, 'UTC');
    expect(kept[0]?.sums.byType).toEqual({ incident: 2, request: 2 });
    await openRequest('other', 'A badge for the intern');
    const changed = await desk.services.store.stats.days(days, 'UTC');
    expect(changed[0]?.sums.byType).toEqual({ incident: 2, request: 3 });
  });
});

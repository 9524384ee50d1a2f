import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCoordinatorToken } from '../../../src/api/coordinator-token.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #11, item 5 and the API parts of items 11 and 14: the rough edges a newcomer and hostile
// input found, each as a user of the API would see it.

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

interface TicketBody {
  id: string;
  number: number;
  status: string;
  subject: string;
  description: string;
  requester: { email: string | null; phone: string | null };
  assignee: { id: string } | null;
}

async function open(body: Record<string, unknown> = {}): Promise<TicketBody> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject: 'Screen flickers', requester: { email: 'edge@example.com' }, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as TicketBody;
}

async function ticketCount(): Promise<number> {
  return (await request(desk.app).get('/api/tickets?limit=1').set(auth)).body.total as number;
}

async function hire(name: string, phone: string): Promise<{ id: string; token: string }> {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(auth)
    .send({ name, phone, tier: 1, skills: ['hardware'] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; token: string };
}

const numbers = (res: request.Response) => (res.body.items as { number: number }[]).map((t) => t.number);

describe('bodies', () => {
  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MB', async () => {
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'big', description: 'x'.repeat(1_100_000), requester: { email: 'big@example.com' } });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'body' });
  });

  it('checks the token before reading the body: an anonymous megabyte gets 401, not a parse', async () => {
    const before = await ticketCount();
    const res = await request(desk.app)
      .post('/api/tickets')
      .set('content-type', 'application/json')
      .send(`{"subject": "x", "description": "${'y'.repeat(1_100_000)}"`); // not even valid JSON
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(await ticketCount()).toBe(before);
  });

  it('answers a body of null with a validation error naming the body, not "malformed JSON"', async () => {
    const res = await request(desk.app).post('/api/tickets').set(auth).set('content-type', 'application/json').send('null');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body' });
    expect(res.body.error.message).toMatch(/^body: /);
  });

  it('answers a form-encoded body with 415 naming application/json', async () => {
    const res = await request(desk.app).post('/api/tickets').set(auth).type('form').send({ subject: 'Printer', description: 'jams' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.error.message).toContain('application/json');
    // A body-less action still needs no content type.
    const t = await open();
    expect((await request(desk.app).post(`/api/tickets/${t.number}/escalate`).set(auth).send({ reason: 'L2' })).status).toBe(200);
  });

  it('stores NUL and lone surrogates in every text field as Postgres can (no 500)', async () => {
    const t = await open({ subject: 'Print\u0000er \uD800down', description: 'a\u0000b\uDC00' });
    expect(t.subject).toBe('Printer \uFFFDdown');
    expect(t.description).toBe('ab\uFFFD');
    const note = await request(desk.app).post(`/api/tickets/${t.number}/notes`).set(auth).send({ body: 'called\u0000 back \uD83D' });
    expect(note.status).toBe(201);
    const escalate = await request(desk.app).post(`/api/tickets/${t.number}/escalate`).set(auth).send({ reason: 'L2\u0000' });
    expect(escalate.status).toBe(200);
    const resolved = await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'fix\u0000ed' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolution).toBe('fixed');
    const tech = await request(desk.app).post('/api/technicians').set(auth).send({ name: 'Nu\u0000l', tier: 1, shift: 'always\u0000' });
    expect(tech.status).toBe(201);
    expect(tech.body.name).toBe('Nul');
    const outage = await request(desk.app).post('/api/outages').set(auth).send({ title: 'V\u0000PN', message: 'down\uDFFF' });
    expect(outage.status).toBe(201);
    expect(outage.body.title).toBe('VPN');
    const unknownKey = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 's', requester: { email: 'a@b.co' }, 'col\u0000our': 1 });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.field).toBe('colour');
  });

  it('takes NUL in query strings and path parameters without a 500', async () => {
    expect((await request(desk.app).get('/api/tickets?q=%00abc%00').set(auth)).status).toBe(200);
    expect((await request(desk.app).get('/api/tickets/%00').set(auth)).status).toBe(404);
    expect((await request(desk.app).get('/api/categories/net%00work').set(auth)).status).toBe(200);
    expect((await request(desk.app).get('/api/stats?from=2026-01-01%00').set(auth)).status).toBe(200);
  });

  it('refuses a body nested deeper than any shape the API takes, with a 400', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await request(desk.app)
      .put('/api/rules/calendar')
      .set(auth)
      .set('content-type', 'application/json')
      .send(`{"holidays": ${deep}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('body');
  });
});

describe('ids in paths', () => {
  it('answers a malformed technician or outage id with a 400 naming it, never a 500', async () => {
    for (const method of ['get', 'patch', 'delete'] as const) {
      const res = await request(desk.app)
        [method]('/api/technicians/not-a-uuid')
        .set(auth)
        .send(method === 'patch' ? { tier: 2 } : undefined);
      expect(res.status, `${method}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
    }
    const outage = await request(desk.app).delete('/api/outages/42').set(auth);
    expect(outage.status).toBe(400);
    expect(outage.body.error.field).toBe('id');
    const unknown = await request(desk.app).delete('/api/technicians/00000000-0000-4000-8000-000000000000').set(auth);
    expect(unknown.status).toBe(404);
    const undecodable = await request(desk.app).get('/api/tickets/%ZZ').set(auth);
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.error.code).toBe('VALIDATION_FAILED');
    expect(undecodable.body.error.field).toBeUndefined();
  });

  it('finds a ticket by the id the API returns, as well as by number and reference', async () => {
    const t = await open();
    const byId = await request(desk.app).get(`/api/tickets/${t.id}`).set(auth);
    expect(byId.status).toBe(200);
    expect(byId.body.number).toBe(t.number);
    const patched = await request(desk.app).patch(`/api/tickets/${t.id.toUpperCase()}`).set(auth).send({ urgency: 'high' });
    expect(patched.status).toBe(200);
    expect((await request(desk.app).get('/api/tickets/00000000-0000-4000-8000-000000000000').set(auth)).status).toBe(404);
  });
});

describe('the ticket list', () => {
  it('asks for several statuses at once: a comma list, the parameter repeated, or open', async () => {
    const a = await open({ subject: 'status A' });
    const b = await open({ subject: 'status B' });
    await request(desk.app).patch(`/api/tickets/${b.number}`).set(auth).send({ status: 'pending' }).expect(200);
    const c = await open({ subject: 'status C' });
    await request(desk.app).post(`/api/tickets/${c.number}/resolve`).set(auth).send({ resolution: 'done' }).expect(200);

    const comma = await request(desk.app).get('/api/tickets?status=new,pending&q=status').set(auth);
    expect(comma.status).toBe(200);
    expect(numbers(comma)).toEqual([b.number, a.number]);
    const repeated = await request(desk.app).get('/api/tickets?status=pending&status=resolved&q=status').set(auth);
    expect(numbers(repeated)).toEqual([c.number, b.number]);
    const open_ = await request(desk.app).get('/api/tickets?status=open&q=status').set(auth);
    expect(numbers(open_)).toEqual([b.number, a.number]);
    expect(open_.body.total).toBe(2);
    const bad = await request(desk.app).get('/api/tickets?status=new,bogus').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('status');
    expect(bad.body.error.message).toContain('open');
  });

  it('documents the status list and open in the OpenAPI document', async () => {
    const doc = await request(desk.app).get('/api/openapi.json');
    const status = (doc.body.paths['/api/tickets'].get.parameters as { name: string; schema: { description?: string } }[]).find(
      (p) => p.name === 'status',
    );
    expect(status?.schema.description).toMatch(/open/);
  });

  it('finds a requester by email or by phone as people type it', async () => {
    const byMail = await open({ subject: 'Mouse', requester: { email: 'quentin.unique@example.com' } });
    const byPhone = await open({ subject: 'Keyboard', requester: { phone: '+33 6 98 76 54 32' } });
    expect(byPhone.requester.phone).toBe('+33698765432');
    expect(numbers(await request(desk.app).get('/api/tickets?q=quentin.unique').set(auth))).toEqual([byMail.number]);
    expect(numbers(await request(desk.app).get('/api/tickets?q=QUENTIN.UNIQUE%40example.com').set(auth))).toEqual([byMail.number]);
    for (const typed of ['+33698765432', '06 98 76 54 32', '0698765432', '+33 6 98 76 54 32']) {
      const res = await request(desk.app)
        .get(`/api/tickets?q=${encodeURIComponent(typed)}`)
        .set(auth);
      expect(numbers(res), typed).toEqual([byPhone.number]);
    }
  });

  it('filters by assignee or assigneeId, and PATCH takes assignee as well as assigneeId', async () => {
    const tech = await hire('Iris', '+33612300001');
    const t = await open({ subject: 'Docking station' });
    const patched = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ assignee: tech.id });
    expect(patched.status).toBe(200);
    expect(patched.body.assignee).toMatchObject({ id: tech.id });
    expect(numbers(await request(desk.app).get(`/api/tickets?assignee=${tech.id}`).set(auth))).toEqual([t.number]);
    expect(numbers(await request(desk.app).get(`/api/tickets?assigneeId=${tech.id}`).set(auth))).toEqual([t.number]);
    const both = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ assignee: tech.id, assigneeId: null });
    expect(both.status).toBe(400);
    expect(both.body.error.field).toBe('assignee');
    const unassigned = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ assigneeId: null });
    expect(unassigned.body.assignee).toBeNull();
  });
});

describe('stats', () => {
  it('takes a day alone: from its start to its end in HELPDESK_TIMEZONE', async () => {
    await open({ subject: 'Counted today' });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const day = await request(desk.app).get(`/api/stats?from=${today}&to=${today}`).set(auth);
    expect(day.status).toBe(200);
    expect(day.body.byChannel.web).toBeGreaterThanOrEqual(1);
    const start = await request(desk.app).get('/api/stats?from=2026-01-01').set(auth);
    expect(start.status).toBe(200);
    const paris = await request(desk.app).get('/api/stats?from=2026-01-01&to=2026-01-01').set(auth);
    expect(paris.body).toMatchObject({ from: '2025-12-31T23:00:00.000Z', to: '2026-01-01T23:00:00.000Z' });
    const bad = await request(desk.app).get('/api/stats?from=2026-13-45').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('from');
  });
});

describe('categories', () => {
  it('answers and takes the same names (skills, startTier), still taking requiredSkills and startingTier', async () => {
    const put = await request(desk.app)
      .put('/api/categories/telephony')
      .set(auth)
      .send({ skills: ['network'], startTier: 2 });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ name: 'telephony', skills: ['network'], startTier: 2 });
    const got = await request(desk.app).get('/api/categories/telephony').set(auth);
    // What GET answers can be sent back as it is, less what the path and the server own.
    const { name: _n, updatedAt: _u, ...back } = got.body as Record<string, unknown>;
    expect((await request(desk.app).put('/api/categories/telephony').set(auth).send(back)).status).toBe(200);
    const old = await request(desk.app)
      .put('/api/categories/telephony')
      .set(auth)
      .send({ requiredSkills: ['network', 'accounts'], startingTier: 1 });
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ skills: ['network', 'accounts'], startTier: 1 });
  });

  it('names an unknown field, even when a required one is missing because of it', async () => {
    const res = await request(desk.app)
      .put('/api/categories/telephony')
      .set(auth)
      .send({ skils: ['network'], startTier: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('skils');
    expect(res.body.error.message).toContain('skils');
  });
});

describe('outages', () => {
  it('stores and returns category and until', async () => {
    const until = new Date(Date.now() + 3600_000).toISOString();
    const created = await request(desk.app)
      .post('/api/outages')
      .set(auth)
      .send({ title: 'Wi-Fi', message: 'Wi-Fi is down in B', category: 'network', until });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ category: 'network', until });
    const list = await request(desk.app).get('/api/outages').set(auth);
    expect(list.body.items.find((o: { id: string }) => o.id === created.body.id)).toMatchObject({ category: 'network', until });
  });

  it('refuses an unknown category or an end already past with a 400, not a 500', async () => {
    const category = await request(desk.app).post('/api/outages').set(auth).send({ title: 'x', message: 'y', category: 'plumbing' });
    expect(category.status).toBe(400);
    expect(category.body.error.field).toBe('category');
    const past = await request(desk.app).post('/api/outages').set(auth).send({ title: 'x', message: 'y', until: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.field).toBe('until');
  });
});

describe('phone numbers', () => {
  it('requires E.164, tolerating spaces, dots, dashes and parentheses', async () => {
    const national = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'x', requester: { phone: '0612345678' } });
    expect(national.status).toBe(400);
    expect(national.body.error.field).toBe('requester.phone');
    expect(national.body.error.message).toContain('E.164');
    const tech = await request(desk.app).post('/api/technicians').set(auth).send({ name: 'Nat', tier: 1, phone: '06 12 34 56 78' });
    expect(tech.status).toBe(400);
    expect(tech.body.error.field).toBe('phone');
    const tooShort = await request(desk.app).post('/api/technicians').set(auth).send({ name: 'Nat', tier: 1, phone: '+3312' });
    expect(tooShort.status).toBe(400);
    const written = await request(desk.app)
      .post('/api/technicians')
      .set(auth)
      .send({ name: 'Written', tier: 1, phone: '+33 (6) 12.34-56 79' });
    expect(written.status).toBe(201);
    expect(written.body.phone).toBe('+33612345679');
    // The same number written another way is the same number: SMS commands are matched by it.
    const again = await request(desk.app).post('/api/technicians').set(auth).send({ name: 'Again', tier: 1, phone: '+33612345679' });
    expect(again.status).toBe(409);
  });

  it('refuses a PATCH giving a technician another one’s phone with a 409, not a 500', async () => {
    const a = await hire('Pat', '+33612300002');
    const b = await hire('Sam', '+33612300003');
    const res = await request(desk.app).patch(`/api/technicians/${b.id}`).set(auth).send({ phone: '+33 6 12 30 00 02' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', field: 'phone' });
    expect((await request(desk.app).patch(`/api/technicians/${a.id}`).set(auth).send({ phone: '+33612300002' })).status).toBe(200);
  });
});

describe('the coordinator token', () => {
  it('once HELPDESK_API_TOKEN is set, the generated coordinator token no longer opens anything', async () => {
    const tokens = desk.services.store.tokens;
    const generated = await ensureCoordinatorToken(tokens, undefined);
    expect(generated).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // This desk runs with HELPDESK_API_TOKEN set: the generated token is refused at once...
    expect(
      (
        await request(desk.app)
          .get('/api/tickets')
          .set(bearer(generated ?? ''))
      ).status,
    ).toBe(401);
    expect((await request(desk.app).get('/api/tickets').set(auth)).status).toBe(200);
    // ...and a start with it set revokes it for good: unsetting the variable later generates a new one.
    expect(await ensureCoordinatorToken(tokens, COORDINATOR_TOKEN)).toBeNull();
    expect(await tokens.resolve(generated ?? '')).toBeNull();
    const next = await ensureCoordinatorToken(tokens, undefined);
    expect(next).not.toBeNull();
    expect(next).not.toBe(generated);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
const coordinator = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

async function hireTechnician(name: string, phone: string) {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(coordinator)
    .send({ name, phone, email: `${name.toLowerCase()}@desk.example`, tier: 1, skills: ['printing'], maxLoad: 3 });
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string };
}

describe('who may do what', () => {
  it('answers 401 without a token or with an unknown one, on every API route', async () => {
    expect((await request(desk.app).get('/api/tickets')).status).toBe(401);
    expect((await request(desk.app).post('/api/tickets').send({})).status).toBe(401);
    const wrong = await request(desk.app).get('/api/technicians').set(bearer('not-a-token'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('hands a new technician their token once; it works, and is not shown again', async () => {
    const tech = await hireTechnician('Ada', '+33611111111');
    expect(tech.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const me = await request(desk.app).get(`/api/technicians/${tech.id}`).set(bearer(tech.token));
    expect(me.status).toBe(200);
    expect(me.body.token).toBeUndefined();
    const list = await request(desk.app).get('/api/technicians').set(coordinator);
    expect(JSON.stringify(list.body)).not.toContain(tech.token);
  });

  it('forbids a technician token from managing technicians (403)', async () => {
    const tech = await hireTechnician('Bob', '+33622222222');
    const asTech = bearer(tech.token);
    const create = await request(desk.app).post('/api/technicians').set(asTech).send({ name: 'Eve', tier: 3 });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    expect((await request(desk.app).patch(`/api/technicians/${tech.id}`).set(asTech).send({ tier: 3 })).status).toBe(403);
    expect((await request(desk.app).delete(`/api/technicians/${tech.id}`).set(asTech)).status).toBe(403);
    expect((await request(desk.app).get('/api/stats').set(asTech)).status).toBe(403);
    const unchanged = await request(desk.app).get(`/api/technicians/${tech.id}`).set(coordinator);
    expect(unchanged.body.tier).toBe(1);
  });

  it('lets a technician read and work their own tickets only', async () => {
    const mine = await hireTechnician('Carol', '+33633333333');
    const other = await hireTechnician('Dan', '+33644444444');
    const open = async () =>
      (
        await request(desk.app)
          .post('/api/tickets')
          .set(coordinator)
          .send({ subject: 'Printer jam', requester: { email: 'user@example.com' } })
      ).body as { number: number };
    const a = await open();
    const b = await open();
    await request(desk.app).patch(`/api/tickets/${a.number}`).set(coordinator).send({ assigneeId: mine.id }).expect(200);
    await request(desk.app).patch(`/api/tickets/${b.number}`).set(coordinator).send({ assigneeId: other.id }).expect(200);

    const asMine = bearer(mine.token);
    const list = await request(desk.app).get('/api/tickets').set(asMine);
    expect(list.body.items.map((t: { number: number }) => t.number)).toEqual([a.number]);
    expect((await request(desk.app).get(`/api/tickets/${b.number}`).set(asMine)).status).toBe(403);
    expect((await request(desk.app).post(`/api/tickets/${b.number}/resolve`).set(asMine).send({ resolution: 'done' })).status).toBe(403);

    const accepted = await request(desk.app).patch(`/api/tickets/${a.number}`).set(asMine).send({ status: 'in_progress' });
    expect(accepted.body.status).toBe('in_progress');
    const resolved = await request(desk.app).post(`/api/tickets/${a.number}/resolve`).set(asMine).send({ resolution: 'Cleared the jam' });
    expect(resolved.body.status).toBe('resolved');
    const detail = await request(desk.app).get(`/api/tickets/${a.number}`).set(coordinator);
    expect(detail.body.events.at(-1)).toMatchObject({ type: 'resolved', actor: `technician:${mine.id}` });

    const reassign = await request(desk.app).patch(`/api/tickets/${b.number}`).set(bearer(other.token)).send({ assigneeId: mine.id });
    expect(reassign.status).toBe(403);
  });

  it('revokes the token of a technician who leaves the desk and hands their tickets back to routing', async () => {
    const tech = await hireTechnician('Erin', '+33655555555');
    const ticket = (
      await request(desk.app)
        .post('/api/tickets')
        .set(coordinator)
        .send({ subject: 'Toner low', requester: { email: 'ivy@example.com' } })
    ).body as { number: number };
    await request(desk.app).patch(`/api/tickets/${ticket.number}`).set(coordinator).send({ assigneeId: tech.id }).expect(200);
    await request(desk.app).delete(`/api/technicians/${tech.id}`).set(coordinator).expect(204);
    const after = await request(desk.app).get(`/api/tickets/${ticket.number}`).set(coordinator);
    expect(after.body).toMatchObject({ status: 'new', assignee: null });
    expect(after.body.events.at(-1)).toMatchObject({ type: 'unassigned', data: { previous: tech.id } });
    expect((await request(desk.app).get('/api/tickets').set(bearer(tech.token))).status).toBe(401);
    expect((await request(desk.app).get(`/api/technicians/${tech.id}`).set(coordinator)).status).toBe(404);
  });
});

describe('technicians', () => {
  it('validates input at the edge, naming the field', async () => {
    const badTier = await request(desk.app).post('/api/technicians').set(coordinator).send({ name: 'X', tier: 4 });
    expect(badTier.status).toBe(400);
    expect(badTier.body.error.field).toBe('tier');
    const badShift = await request(desk.app).post('/api/technicians').set(coordinator).send({ name: 'X', tier: 1, shift: 'weekdays' });
    expect(badShift.status).toBe(400);
    expect(badShift.body.error.field).toBe('shift');
    const unknown = await request(desk.app)
      .patch('/api/technicians/00000000-0000-0000-0000-000000000000')
      .set(coordinator)
      .send({ tier: 2 });
    expect(unknown.status).toBe(404);
  });

  it('returns the contract shape and applies changes', async () => {
    const tech = await hireTechnician('Fay', '+33666666666');
    const patched = await request(desk.app)
      .patch(`/api/technicians/${tech.id}`)
      .set(coordinator)
      .send({ skills: ['network', 'security'], available: false, onCall: true, shift: 'mon-fri 08:00-16:00' });
    expect(patched.body).toEqual({
      id: tech.id,
      name: 'Fay',
      email: 'fay@desk.example',
      phone: '+33666666666',
      language: 'fr',
      tier: 1,
      skills: ['network', 'security'],
      maxLoad: 3,
      available: false,
      onCall: true,
      shift: 'mon-fri 08:00-16:00',
    });
  });

  it('refuses a second technician with the same phone, since SMS commands are matched by it', async () => {
    await hireTechnician('Gus', '+33677777777');
    const dup = await request(desk.app).post('/api/technicians').set(coordinator).send({ name: 'Hal', tier: 1, phone: '+33677777777' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('phone');
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProblemWorker } from '../../../src/tickets/problem-worker.js';
import { resolveNextOwed } from '../../../src/tickets/problem-resolutions.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue #16, problems: incidents linked both ways (the problem lists them, each ticket shows its
 * problem and has an event saying so); resolving with resolveIncidents resolves every linked open
 * incident with the resolution and owes each requester exactly one message carrying it.
 */

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);
const RESOLUTION = 'The DHCP scope on the 3rd floor was full; it has been widened.';

interface Opened {
  id: string;
  number: number;
  reference: string;
}

async function open(subject: string, requester: Record<string, string>): Promise<Opened> {
  const res = await request(desk.app).post('/api/tickets').set(auth).send({ subject, description: 'No network.', requester });
  expect(res.status).toBe(201);
  return res.body as Opened;
}

async function ticket(number: number) {
  const res = await request(desk.app).get(`/api/tickets/${number}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as {
    status: string;
    resolution: string | null;
    problem: { id: string; title: string; status: string } | null;
    events: { type: string; data: Record<string, unknown> }[];
  };
}

const resolvedRows = async (ticketId: string) =>
  (await desk.services.store.outbox.forTicket(ticketId)).filter((row) => row.kind === 'requester.resolved');

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

describe('problems', () => {
  it('links incidents both ways, then resolves the open ones with it, each requester told once', async () => {
    const a = await open('No network in room 301', { name: 'Ada', email: 'ada@client.example' });
    const b = await open('Wifi drops on 3rd floor', { name: 'Bob', email: 'bob@client.example' });
    const c = await open('Pas de réseau', { name: 'Chloé', phone: '+33611112222' });
    const done = await open('Network slow yesterday', { name: 'Dan', email: 'dan@client.example' });
    const other = await open('Printer jam', { name: 'Eve', email: 'eve@client.example' });
    await request(desk.app).post(`/api/tickets/${done.number}/resolve`).set(auth).send({ resolution: 'It came back.' }).expect(200);

    const created = await request(desk.app)
      .post('/api/problems')
      .set(auth)
      .send({ title: 'DHCP exhaustion, 3rd floor', incidents: [a.number, b.reference] });
    expect(created.status).toBe(201);
    const problemId = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'open', incidents: [a.number, b.number] });

    const linked = await request(desk.app)
      .post(`/api/problems/${problemId}/incidents`)
      .set(auth)
      .send({ tickets: [c.reference, done.number, a.number] });
    expect(linked.status).toBe(200);
    expect(linked.body.incidents).toEqual([a.number, b.number, c.number, done.number]);

    const known = await request(desk.app)
      .patch(`/api/problems/${problemId}`)
      .set(auth)
      .send({ status: 'known_error', rootCause: 'DHCP scope too small', workaround: 'Use the cable' });
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({ status: 'known_error', rootCause: 'DHCP scope too small', workaround: 'Use the cable' });

    // The ticket shows its problem, and its history says when it was linked (once: linking a again changed nothing).
    const shownA = await ticket(a.number);
    expect(shownA.problem).toEqual({ id: problemId, title: 'DHCP exhaustion, 3rd floor', status: 'known_error' });
    expect(shownA.events.filter((e) => e.type === 'linked_to_problem')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ problemId, previous: null }) }),
    ]);
    expect((await ticket(other.number)).problem).toBeNull();

    const resolved = await request(desk.app)
      .post(`/api/problems/${problemId}/resolve`)
      .set(auth)
      .send({ resolution: RESOLUTION, resolveIncidents: true });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: RESOLUTION, incidentsToResolve: 3 });

    const stop = await startProblemWorker({ log: desk.log, services: desk.services });
    try {
      await waitFor('the three open incidents resolved', async () => (await desk.services.store.problems.countOwed()) === 0);
    } finally {
      await stop();
    }
    for (const t of [a, b, c]) {
      const shown = await ticket(t.number);
      expect(shown.status, t.reference).toBe('resolved');
      expect(shown.resolution).toBe(RESOLUTION);
      expect(shown.events.filter((e) => e.type === 'resolved')).toEqual([
        expect.objectContaining({ data: { resolution: RESOLUTION, via: 'problem', problemId } }),
      ]);
      const rows = await resolvedRows(t.id);
      expect(rows, t.reference).toHaveLength(1);
      expect(rows[0]?.payload).toMatchObject({ resolution: RESOLUTION });
    }
    expect((await resolvedRows(a.id))[0]).toMatchObject({ channel: 'email', recipient: 'ada@client.example' });
    expect((await resolvedRows(c.id))[0]).toMatchObject({ channel: 'sms', recipient: '+33611112222' });
    // Resolved before: left as it was, not told again; not linked: untouched.
    expect((await ticket(done.number)).resolution).toBe('It came back.');
    expect(await resolvedRows(done.id)).toHaveLength(1);
    expect((await ticket(other.number)).status).toBe('new');

    // Nothing is owed any more: another run does nothing, and resolving again is refused.
    expect(await resolveNextOwed(desk.services.tickets)).toBeNull();
    for (const t of [a, b, c]) expect(await resolvedRows(t.id)).toHaveLength(1);
    const again = await request(desk.app).post(`/api/problems/${problemId}/resolve`).set(auth).send({ resolution: RESOLUTION });
    expect(again.status).toBe(409);
    const listed = await request(desk.app).get('/api/problems').set(auth);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(problemId);
  });

  it('leaves a resolved problem’s incidents alone without resolveIncidents', async () => {
    const t = await open('VPN refuses my password', { email: 'fay@client.example' });
    const created = await request(desk.app)
      .post('/api/problems')
      .set(auth)
      .send({ title: 'VPN certificate expired', incidents: [t.number] });
    await request(desk.app).post(`/api/problems/${created.body.id}/resolve`).set(auth).send({ resolution: 'Renewed' }).expect(200);
    expect(await desk.services.store.problems.countOwed()).toBe(0);
    expect((await ticket(t.number)).status).toBe('new');
    expect((await ticket(t.number)).problem).toMatchObject({ status: 'resolved' });

    // A resolved problem takes no more incidents until it is reopened, which forgets its resolution.
    const later = await open('VPN again', { email: 'gil@client.example' });
    const refused = await request(desk.app)
      .post(`/api/problems/${created.body.id}/incidents`)
      .set(auth)
      .send({ tickets: [later.number] });
    expect(refused.status).toBe(409);
    const reopened = await request(desk.app).patch(`/api/problems/${created.body.id}`).set(auth).send({ status: 'open' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.resolution).toBeUndefined();
    const relinked = await request(desk.app)
      .post(`/api/problems/${created.body.id}/incidents`)
      .set(auth)
      .send({ tickets: [later.number] });
    expect(relinked.body.incidents).toEqual([t.number, later.number]);
  });

  it('refuses what is wrong, and links nothing of a request naming an unknown ticket', async () => {
    const t = await open('Cannot print', { email: 'gus@client.example' });
    const noCause = await request(desk.app).post('/api/problems').set(auth).send({ title: 'Printers', status: 'known_error' });
    expect(noCause.status).toBe(400);
    expect(noCause.body.error.code).toBe('VALIDATION_FAILED');
    const created = await request(desk.app).post('/api/problems').set(auth).send({ title: 'Printers' });
    const id = created.body.id as string;
    const unknown = await request(desk.app)
      .post(`/api/problems/${id}/incidents`)
      .set(auth)
      .send({ tickets: [t.number, 99_999_999] });
    expect(unknown.status).toBe(404);
    expect((await request(desk.app).get(`/api/problems/${id}`).set(auth)).body.incidents).toEqual([]);
    expect((await ticket(t.number)).problem).toBeNull();
    expect((await request(desk.app).patch(`/api/problems/${id}`).set(auth).send({ status: 'resolved' })).status).toBe(400);
    expect((await request(desk.app).post(`/api/problems/${id}/resolve`).set(auth).send({ resolution: ' ' })).status).toBe(422);
    const noOutage = await request(desk.app)
      .post('/api/problems')
      .set(auth)
      .send({ title: 'Printers', outageId: '00000000-0000-4000-8000-000000000000' });
    expect(noOutage.status).toBe(404);
    expect(noOutage.body.error.code).toBe('OUTAGE_NOT_FOUND');
    const missing = await request(desk.app).get('/api/problems/00000000-0000-4000-8000-000000000000').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('PROBLEM_NOT_FOUND');
  });
});

import { createServer } from 'node:net';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWeb } from '../../../src/roles/web.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { listenApp, openStream, ticketEvents, type SseStream } from '../../support/sse.js';
import { waitFor } from '../../support/wait.js';

let desk: TestDesk;
let server: Awaited<ReturnType<typeof listenApp>>;
const coordinator = bearer(COORDINATOR_TOKEN);
const opened: SseStream[] = [];

beforeAll(async () => {
  desk = await createTestDesk();
  server = await listenApp(desk.app);
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});
afterAll(async () => {
  await server?.close();
  await desk?.close();
});

async function stream(headers: Record<string, string>, query = ''): Promise<SseStream> {
  const s = await openStream(`${server.url}/api/stream${query}`, headers);
  opened.push(s);
  return s;
}

/** A stream that has joined the hub: the server wrote its opening, and the stream counts among the clients. */
async function liveStream(headers: Record<string, string>, query = ''): Promise<SseStream> {
  const before = await clientsGauge();
  const s = await stream(headers, query);
  expect(s.status).toBe(200);
  await waitFor('the stream to join the hub', async () => (await clientsGauge()) > before);
  return s;
}

async function clientsGauge(): Promise<number> {
  const res = await request(desk.app).get('/metrics');
  const match = /^helpdesk_stream_clients (\d+)$/m.exec(res.text);
  return Number(match?.[1] ?? Number.NaN);
}

async function openTicket(subject: string) {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(coordinator)
    .send({ subject, requester: { email: 'lou@example.com' } });
  expect(res.status).toBe(201);
  return res.body as { id: string; number: number };
}

/** The event ids of the desk, oldest first, after `after`, as the log holds them. */
async function eventIdsAfter(after: number): Promise<number[]> {
  const found = await desk.sequelize.query<{ id: number }>('SELECT id FROM ticket_events WHERE id > :after ORDER BY id', {
    replacements: { after },
    type: QueryTypes.SELECT,
  });
  return found.map((r) => r.id);
}

describe('GET /api/stream', () => {
  it('answers 401 without a token, or with a wrong one, and opens no stream', async () => {
    const none = await fetch(`${server.url}/api/stream`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(`${server.url}/api/stream`, { headers: bearer('not-a-token') });
    expect(wrong.status).toBe(401);
    expect(await clientsGauge()).toBe(0);
  });

  it("carries the coordinator's changes made through the API as they commit, each once, with its ticket as it stands", async () => {
    const s = await liveStream(coordinator);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.headers.get('cache-control')).toBe('no-cache');
    expect(s.headers.get('x-accel-buffering')).toBe('no');
    expect(s.retries).toEqual([3000]);

    const ticket = await openTicket('Printer on fire');
    const created = await waitFor('the created event', () => ticketEvents(s).find((e) => e.ticketId === ticket.id && e.type === 'created'));
    expect(created).toMatchObject({ number: ticket.number, reference: `HD-${ticket.number}`, status: 'new', assigneeId: null });
    expect(created.at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const patched = await request(desk.app).patch(`/api/tickets/${ticket.number}`).set(coordinator).send({ priority: 'P1' });
    expect(patched.status).toBe(200);
    const note = await request(desk.app).post(`/api/tickets/${ticket.number}/notes`).set(coordinator).send({ body: 'on my way' });
    expect(note.status).toBeLessThan(300);
    const log = await eventIdsAfter(0);
    await waitFor('every event of the log on the stream', () => ticketEvents(s).length >= log.length);
    const received = ticketEvents(s);
    // Exactly the log, in its order, each once; the SSE id is the event's id.
    expect(received.map((e) => e.eventId)).toEqual(log);
    expect(s.events.map((e) => e.id)).toEqual(log.map(String));
    expect(received.at(-1)).toMatchObject({ type: 'note', priority: 'P1' });
  });

  it('replays exactly what a reconnecting client missed (Last-Event-ID), then goes on live', async () => {
    const first = await liveStream(coordinator);
    const ticket = await openTicket('VPN down');
    await waitFor('the created event', () => ticketEvents(first).some((e) => e.ticketId === ticket.id));
    const lastSeen = ticketEvents(first).at(-1)!.eventId;
    first.close();
    await waitFor('the first stream to leave', async () => (await clientsGauge()) === 0);

    // Changes while nobody listens.
    for (const body of ['rebooted the router', 'still down', 'escalating']) {
      expect((await request(desk.app).post(`/api/tickets/${ticket.number}/notes`).set(coordinator).send({ body })).status).toBeLessThan(
        300,
      );
    }
    await openTicket('Screen flickers');
    const missed = await eventIdsAfter(lastSeen);
    expect(missed.length).toBeGreaterThanOrEqual(4);

    const again = await liveStream({ ...coordinator, 'Last-Event-ID': String(lastSeen) });
    await waitFor('the missed events', () => ticketEvents(again).length >= missed.length);
    expect(ticketEvents(again).map((e) => e.eventId)).toEqual(missed);

    // Live after the replay, with nothing repeated at the seam.
    await request(desk.app).post(`/api/tickets/${ticket.number}/notes`).set(coordinator).send({ body: 'fixed' });
    const all = await eventIdsAfter(lastSeen);
    await waitFor('the live event after the replay', () => ticketEvents(again).length >= all.length);
    expect(ticketEvents(again).map((e) => e.eventId)).toEqual(all);

    // A first connection may say where it stands with ?lastEventId=.
    const byQuery = await liveStream(coordinator, `?lastEventId=${lastSeen}`);
    await waitFor('the replay by query', () => ticketEvents(byQuery).length >= all.length);
    expect(ticketEvents(byQuery).map((e) => e.eventId)).toEqual(all);

    const malformed = await fetch(`${server.url}/api/stream`, { headers: { ...coordinator, 'Last-Event-ID': 'abc' } });
    expect(malformed.status).toBe(400);
  });

  it('gives a technician the events of their own tickets only, including the one that takes a ticket away from them', async () => {
    const hire = async (name: string, phone: string) => {
      const res = await request(desk.app).post('/api/technicians').set(coordinator).send({ name, phone, tier: 1, skills: [], maxLoad: 5 });
      expect(res.status).toBe(201);
      return res.body as { id: string; token: string };
    };
    const before = (await eventIdsAfter(0)).at(-1) ?? 0;
    const ada = await hire('Ada', '+33611111111');
    const bob = await hire('Bob', '+33622222222');
    const techStream = await liveStream(bearer(ada.token));
    const coordStream = await liveStream(coordinator);

    const hers = await openTicket('Her printer');
    const his = await openTicket('His keyboard');
    const assign = (number: number, assigneeId: string) =>
      request(desk.app).patch(`/api/tickets/${number}`).set(coordinator).send({ assigneeId });
    expect((await assign(hers.number, ada.id)).status).toBe(200);
    expect((await assign(his.number, bob.id)).status).toBe(200);
    expect(
      (await request(desk.app).post(`/api/tickets/${hers.number}/notes`).set(coordinator).send({ body: 'for Ada' })).status,
    ).toBeLessThan(300);
    // Read with the ticket as it stands when heard: wait for her note before the ticket changes hands.
    await waitFor('her note on her stream', () => ticketEvents(techStream).some((e) => e.type === 'note'));
    // Taken from her and given to Bob: she hears of that, then nothing more of it.
    expect((await assign(hers.number, bob.id)).status).toBe(200);
    await request(desk.app).post(`/api/tickets/${hers.number}/notes`).set(coordinator).send({ body: 'for Bob now' });

    const log = await eventIdsAfter(before);
    await waitFor('the coordinator to have every event', () => ticketEvents(coordStream).length >= log.length);
    const seenByCoordinator = ticketEvents(coordStream);
    const reassigned = seenByCoordinator.filter((e) => e.ticketId === hers.id && e.type === 'assigned').at(-1)!;
    await waitFor("the technician's stream to carry the reassignment", () =>
      ticketEvents(techStream).some((e) => e.eventId === reassigned.eventId),
    );

    const seenByAda = ticketEvents(techStream);
    expect(seenByAda.some((e) => e.ticketId === his.id)).toBe(false);
    expect(seenByAda.every((e) => e.ticketId === hers.id)).toBe(true);
    const types = seenByAda.map((e) => e.type);
    expect(types).toContain('assigned');
    expect(types).toContain('note');
    // The last note, written once the ticket was Bob's, did not reach her: the coordinator has it after the reassignment.
    const lastNote = seenByCoordinator.filter((e) => e.ticketId === hers.id && e.type === 'note').at(-1)!;
    expect(lastNote.eventId).toBeGreaterThan(reassigned.eventId);
    expect(seenByAda.some((e) => e.eventId === lastNote.eventId)).toBe(false);
  });

  it("opens with the console's session cookie, as the browser's EventSource sends it", async () => {
    const login = await request(desk.app).post('/login').type('form').send({ token: COORDINATOR_TOKEN });
    expect(login.status).toBe(303);
    const cookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const s = await liveStream({ Cookie: cookie });
    const ticket = await openTicket('Seen through the cookie');
    await waitFor('the event on the cookie stream', () => ticketEvents(s).some((e) => e.ticketId === ticket.id));
  });

  it('lets the web role stop promptly while streams are open, ending them', async () => {
    const port = await freePort();
    const stop = await startWeb({
      config: { ...desk.config, port },
      log: desk.log,
      services: desk.services,
      redisUrl: desk.redisUrl,
      redis: desk.redis,
      health: new Map(),
    });
    const s = await openStream(`http://127.0.0.1:${port}/api/stream`, coordinator);
    expect(s.status).toBe(200);
    const started = Date.now();
    await stop();
    await s.ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lets the stream go when the client disconnects', async () => {
    const s = await liveStream(coordinator);
    s.close();
    await waitFor('the client count to drop to 0', async () => (await clientsGauge()) === 0);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../src/runtime/postgres.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { listenApp, openStream, ticketEvents } from '../../support/sse.js';
import { waitFor } from '../../support/wait.js';

// A Postgres of this file's own, so that stopping it does not disturb the other test files.
let dir = '';
let postgres: RunningPostgres;
let desk: TestDesk;
let server: Awaited<ReturnType<typeof listenApp>>;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-streamrestart-'));
  await chmod(dir, 0o755);
  postgres = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger() });
  desk = await createTestDesk({}, postgres.adminUrl);
  server = await listenApp(desk.app);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await desk?.close().catch(() => undefined);
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

const openTicket = (subject: string) =>
  request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, requester: { email: 'lou@example.com' } });

describe('the live stream across a database restart', () => {
  it('stays open and carries the changes made after the database is back, the first ones included', async () => {
    const stream = await openStream(`${server.url}/api/stream`, auth);
    try {
      expect(stream.status).toBe(200);
      const before = await openTicket('Before the restart');
      expect(before.status).toBe(201);
      await waitFor('the event before the restart', () => ticketEvents(stream).some((e) => e.ticketId === before.body.id));

      await postgres.stop();
      postgres = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger() });

      // At once, most likely before the stream's LISTEN is back: heard by its catch-up, not by a NOTIFY.
      const first = await waitFor('a ticket opened after the restart', async () => {
        const res = await openTicket('Right after the restart');
        return res.status === 201 ? (res.body as { id: string }) : null;
      });
      await waitFor('its event on the stream', () => ticketEvents(stream).some((e) => e.ticketId === first.id), { timeoutMs: 20_000 });

      // And live again, by NOTIFY.
      const later = await openTicket('Later');
      expect(later.status).toBe(201);
      await waitFor('the later event on the stream', () => ticketEvents(stream).some((e) => e.ticketId === later.body.id));

      // Nothing twice.
      const ids = ticketEvents(stream).map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      stream.close();
    }
  }, 90_000);

  it('hands out what was committed while its LISTEN connection was down, once it is back', async () => {
    const stream = await openStream(`${server.url}/api/stream`, auth);
    try {
      const listener = `SELECT count(*)::int AS n FROM pg_stat_activity
                         WHERE application_name = 'helpdesk-stream-listen' AND datname = current_database()`;
      const listeners = async () => ((await desk.sequelize.query(listener, { type: QueryTypes.SELECT }))[0] as { n: number }).n;
      expect(await listeners()).toBe(1);
      await desk.sequelize.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                                   WHERE application_name = 'helpdesk-stream-listen' AND datname = current_database()`);
      await waitFor('the LISTEN connection to be gone', async () => (await listeners()) === 0);
      const unheard = await openTicket('While nobody listens');
      expect(unheard.status).toBe(201);
      // Committed while no LISTEN was in place: no NOTIFY reached this process for it.
      expect(await listeners()).toBe(0);

      await waitFor('the unheard event on the stream', () => ticketEvents(stream).some((e) => e.ticketId === unheard.body.id));
      expect(await listeners()).toBe(1);
    } finally {
      stream.close();
    }
  }, 30_000);
});

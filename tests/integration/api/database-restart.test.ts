import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../src/runtime/postgres.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// A Postgres of this file's own, so that stopping it does not disturb the other test files.
let dir = '';
let postgres: RunningPostgres;
let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-dbrestart-'));
  await chmod(dir, 0o755);
  postgres = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger() });
  desk = await createTestDesk({}, postgres.adminUrl);
}, 60_000);

afterAll(async () => {
  await desk?.close().catch(() => undefined);
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

const openTicket = () =>
  request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject: 'Keyboard dead', requester: { email: 'lou@example.com' } });

describe('a database restart', () => {
  it('turns /ready to 503 and requests to a retryable 503 while it is down, then recovers by itself', async () => {
    expect((await openTicket()).status).toBe(201);

    await postgres.stop();
    const ready = await request(desk.app).get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.database).toBe(false);
    const refused = await openTicket();
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('NOT_READY');

    postgres = await startEmbeddedPostgres({ dataDir: dir, log: silentLogger() });
    expect((await request(desk.app).get('/ready')).status).toBe(200);
    expect((await openTicket()).status).toBe(201);
    const list = await request(desk.app).get('/api/tickets').set(auth);
    // The ticket refused during the outage was not half-written: exactly the two that succeeded.
    expect(list.body.total).toBe(2);
  }, 60_000);
});

import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #11, item 17 (API part): a request whose statement is running when its database connection
// is killed (what a Postgres crash does to every session) is told to retry (503), not "internal error".

let desk: TestDesk;
let admin: pg.Client;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
  admin = new pg.Client({ connectionString: desk.databaseUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await desk?.close();
});

async function waitingBackends(): Promise<number[]> {
  const rows = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
  );
  return rows.rows.map((r) => r.pid);
}

describe('a database connection killed in the middle of a request', () => {
  it('answers 503 NOT_READY (57P01), then serves again', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
    const pending = request(desk.app)
      .get('/api/tickets')
      .set(auth)
      .then((res) => res);
    let pids: number[] = [];
    for (let i = 0; i < 200 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pids = await waitingBackends();
    }
    expect(pids.length).toBeGreaterThan(0);
    // pg_terminate_backend sends what a shutting-down server sends: 57P01 admin_shutdown.
    for (const pid of pids) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.query('ROLLBACK');
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('NOT_READY');
    expect((await request(desk.app).get('/api/tickets').set(auth)).status).toBe(200);
  });
});

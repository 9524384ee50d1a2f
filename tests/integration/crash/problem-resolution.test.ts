import request from 'supertest';
import type { Transaction } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { createCrashDesk, unsent, type CrashDesk } from './crash-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue #16: `kill -9` of the gateway while its worker resolves a problem's incidents, then a
 * restart. The worker resolves them one by one in ticket order; the test holds the fourth ticket's
 * row locked, so that the worker is caught in the middle of that job (its incident claimed, its
 * transaction open) with three done before it. After the restart every incident is resolved once
 * (one `resolved` event each) and each requester gets exactly one message carrying the resolution,
 * by email or by SMS as they wrote in.
 */

const EMAILS = 5;
const TEXTS = 3;
const HELD = 3;
const RESOLUTION = 'Le serveur de fichiers FS-02 a été redémarré et son disque remplacé.';
let cd: CrashDesk;
const auth = bearer(COORDINATOR_TOKEN);
const phone = (i: number) => `+3361555${String(i).padStart(4, '0')}`;
const email = (i: number) => `user${i}@client.example`;
let numbers: number[] = [];
let held: Transaction | undefined;

beforeAll(async () => {
  cd = await createCrashDesk({ redisDb: 14 });
  // Written before the gateway starts, through the API of a desk without a worker: the problem is
  // resolved and its jobs owed when the gateway's worker first looks.
  for (let i = 0; i < EMAILS + TEXTS; i++) {
    const requester = i < EMAILS ? { name: `Person ${i}`, email: email(i) } : { name: `Caller ${i}`, phone: phone(i) };
    const res = await request(cd.desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: `Lecteur réseau ${i} inaccessible`, description: 'Le lecteur S: ne répond plus.', requester });
    expect(res.status).toBe(201);
    numbers.push(res.body.number as number);
  }
  numbers = numbers.sort((a, b) => a - b);
  const problem = await request(cd.desk.app).post('/api/problems').set(auth).send({ title: 'FS-02 disk failing', incidents: numbers });
  expect(problem.status).toBe(201);
  const resolved = await request(cd.desk.app)
    .post(`/api/problems/${problem.body.id}/resolve`)
    .set(auth)
    .send({ resolution: RESOLUTION, resolveIncidents: true });
  expect(resolved.body.incidentsToResolve).toBe(EMAILS + TEXTS);
}, 60_000);
afterAll(async () => {
  await held?.rollback().catch(() => undefined);
  await cd?.close();
});

const resolvedEvents = () => cd.count(`SELECT count(*) AS n FROM ticket_events WHERE type = 'resolved'`);

describe('kill -9 while a problem’s incidents are being resolved', () => {
  it('resolves each incident once and tells each requester once, the rest after the restart', async () => {
    held = await cd.desk.sequelize.transaction();
    await cd.desk.sequelize.query('SELECT 1 FROM tickets WHERE number = $n FOR UPDATE', {
      bind: { n: numbers[HELD] },
      transaction: held,
    });

    const first = await cd.start();
    await waitFor(
      'the worker resolved the first incidents and waits on the held one',
      async () =>
        (await resolvedEvents()) === HELD &&
        (await cd.count(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) > 0,
      { timeoutMs: 45_000, intervalMs: 50 },
    );
    await cd.kill9(first);
    await held.commit();
    held = undefined;
    const owedAtKill = await cd.count('SELECT count(*) AS n FROM problem_incidents WHERE resolution_owed_at IS NOT NULL');
    expect(owedAtKill).toBe(EMAILS + TEXTS - HELD);

    await cd.start();
    await waitFor(
      'every incident resolved and every message sent',
      async () =>
        (await cd.count('SELECT count(*) AS n FROM problem_incidents WHERE resolution_owed_at IS NOT NULL')) === 0 &&
        (await cd.count(`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`)) === 0,
      { timeoutMs: 60_000, intervalMs: 200, explain: unsent(cd) },
    );

    const perTicket = await cd.rows<{ number: string; status: string; resolved: number; told: number }>(
      `SELECT t.number, t.status,
              (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'resolved') AS resolved,
              (SELECT count(*)::int FROM outbox o WHERE o.ticket_id = t.id AND o.kind = 'requester.resolved') AS told
         FROM tickets t ORDER BY t.number`,
    );
    expect(perTicket.map((t) => ({ ...t, number: Number(t.number) }))).toEqual(
      numbers.map((number) => ({ number, status: 'resolved', resolved: 1, told: 1 })),
    );
    // What the requesters received: one message each carrying the resolution.
    for (let i = 0; i < EMAILS; i++) {
      const got = cd.receiver.messages.filter(
        (m) => m.envelope.to.some((to) => to.toLowerCase() === email(i)) && (m.parsed.text ?? '').includes(RESOLUTION),
      );
      expect(got, email(i)).toHaveLength(1);
    }
    for (let i = EMAILS; i < EMAILS + TEXTS; i++) {
      const got = cd.standIn.messages.filter((m) => m.to === phone(i) && m.body.includes(RESOLUTION));
      expect(got, phone(i)).toHaveLength(1);
    }
  }, 150_000);
});

import type { Sequelize } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/roles/services.js';
import { createSequelize } from '../../../src/store/db.js';
import { createStore } from '../../../src/store/index.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { addTechnician, createRoutingDesk, type RoutingDesk } from './routing-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Four workers in one process, each on its own database pool (as four processes would be), route
 * 50 tickets at once among three technicians of small maxLoad, every ticket enqueued three times
 * and sweeps running alongside. No ticket may be offered twice, nobody may exceed maxLoad.
 */
let desk: RoutingDesk;
const pools: Sequelize[] = [];

beforeAll(async () => {
  desk = await createRoutingDesk();
});
afterAll(async () => {
  await desk?.stopWorkers();
  for (const pool of pools) await pool.close();
  await desk?.close();
});

interface Row {
  number: number;
  status: string;
  assignee_id: string | null;
  offers: number;
  queued: number;
}

async function snapshot(): Promise<Row[]> {
  return desk.sequelize.query<Row>(
    `SELECT t.number, t.status, t.assignee_id,
            (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'assigned') AS offers,
            (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'queued') AS queued
       FROM tickets t ORDER BY t.number`,
    { type: 'SELECT' as never },
  );
}

/** Fails at once, rather than by a timeout, when a rule is broken on the way. */
function assertSafe(rows: Row[], maxLoad: number): void {
  for (const r of rows)
    if (r.offers > 1 || r.queued > 1) throw new Error(`ticket ${r.number}: ${r.offers} offers, queued ${r.queued} times`);
  for (const [id, n] of loads(rows)) if (n > maxLoad) throw new Error(`technician ${id} holds ${n} > ${maxLoad}`);
}

function loads(rows: Row[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) if (r.assignee_id && r.status === 'assigned') m.set(r.assignee_id, (m.get(r.assignee_id) ?? 0) + 1);
  return m;
}

describe('many workers racing', () => {
  it('never offer a ticket twice nor push a technician past maxLoad', async () => {
    const techs = await Promise.all(
      ['Ivy', 'Jon', 'Kim'].map((name) => addTechnician(desk, { name, tier: 1, skills: ['network'], maxLoad: 3 })),
    );
    for (let i = 0; i < 4; i++) {
      const pool = createSequelize({ url: desk.databaseUrl, poolMax: 4 });
      pools.push(pool);
      await desk.startWorker({
        services: createServices(desk.config, createStore(pool, desk.log), desk.log),
        concurrency: 4,
        planEveryMs: 300,
      });
    }

    const tickets = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        openTicket(desk.services.tickets, {
          channel: 'web',
          subject: `Network down in room ${i}`,
          description: '',
          category: 'network',
          requester: { email: `user${i}@example.com` },
        }),
      ),
    );
    // Every ticket again, twice, from the producer: duplicates race the originals.
    for (const t of tickets) {
      for (let k = 0; k < 2; k++) await desk.services.routing.add('route-ticket', { ticketId: t.ticket!.id, events: ['created'] });
    }

    console.time('phase1');
    const settled = await waitFor(
      '9 offers and 41 waiting tickets',
      async () => {
        const rows = await snapshot();
        assertSafe(rows, 3);
        const offered = rows.filter((r) => r.status === 'assigned').length;
        const waiting = rows.filter((r) => r.status === 'new' && r.queued === 1).length;
        return offered === 9 && waiting === 41 ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    console.timeEnd('phase1');
    for (const r of settled) expect(r.offers, `ticket ${r.number} offered ${r.offers} times`).toBeLessThanOrEqual(1);
    for (const r of settled) expect(r.queued, `ticket ${r.number} queued ${r.queued} times`).toBeLessThanOrEqual(1);
    expect([...loads(settled).values()]).toEqual([3, 3, 3]);

    // More room for everyone (the API tells routing): the rest is offered, still never twice.
    for (const t of techs) {
      const res = await request(desk.app).patch(`/api/technicians/${t.id}`).set(desk.auth).send({ maxLoad: 20 });
      expect(res.status).toBe(200);
    }
    console.time('phase2');
    const done = await waitFor(
      'all 50 offered',
      async () => {
        const rows = await snapshot();
        assertSafe(rows, 20);
        return rows.every((r) => r.status === 'assigned') ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    console.timeEnd('phase2');
    for (const r of done) expect(r.offers, `ticket ${r.number} offered ${r.offers} times`).toBe(1);
    const final = loads(done);
    expect([...final.values()].reduce((a, b) => a + b, 0)).toBe(50);
    for (const n of final.values()) expect(n).toBeLessThanOrEqual(20);
  });
});

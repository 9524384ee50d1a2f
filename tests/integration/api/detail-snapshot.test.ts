import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

/**
 * GET /api/tickets/:id reads the row, its events and its messages in three statements. A change
 * that commits between them (an offer expiring and going to the next technician, a coordinator's
 * reassignment) must not show its events beside the row as it was before: one snapshot for all.
 */
let desk: TestDesk;
const coordinator = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  desk?.sequelize.removeHook('afterQuery', 'commit-in-between');
  await desk?.close();
});

describe('ticket detail', () => {
  it('shows the row and its events as of one moment, even when a change commits between the reads', async () => {
    const tech = await request(desk.app)
      .post('/api/technicians')
      .set(coordinator)
      .send({ name: 'Ivy', phone: '+33655555555', tier: 1, skills: ['printing'], maxLoad: 3 });
    expect(tech.status).toBe(201);
    const opened = await request(desk.app)
      .post('/api/tickets')
      .set(coordinator)
      .send({ subject: 'Printer offline', description: 'Nothing prints.', requester: { email: 'amy@client.example' } });
    expect(opened.status).toBe(201);

    // Right after the detail's first read (the row), a coordinator assigns the ticket and commits.
    let armed = true;
    desk.sequelize.addHook('afterQuery', 'commit-in-between', async (_options, query) => {
      // The typings leave the statement out; Sequelize's query object carries it as `sql`.
      const sql = (query as unknown as { sql?: string }).sql;
      if (!armed || !sql?.includes('FROM tickets t')) return;
      armed = false;
      const assigned = await request(desk.app)
        .patch(`/api/tickets/${opened.body.number}`)
        .set(coordinator)
        .send({ assigneeId: tech.body.id });
      expect(assigned.status).toBe(200);
    });
    const seen = await request(desk.app).get(`/api/tickets/${opened.body.number}`).set(coordinator);
    expect(armed).toBe(false);
    expect(seen.status).toBe(200);
    const assignedEvents = (seen.body.events as { type: string }[]).filter((e) => e.type === 'assigned');
    // Before the change on both counts: unassigned, and no assignment in its history.
    expect(seen.body.assignee ?? null).toBeNull();
    expect(assignedEvents).toEqual([]);

    // And the next read shows the change on both counts.
    const after = await request(desk.app).get(`/api/tickets/${opened.body.number}`).set(coordinator);
    expect(after.body.assignee?.id).toBe(tech.body.id);
    expect((after.body.events as { type: string }[]).some((e) => e.type === 'assigned')).toBe(true);
  });
});

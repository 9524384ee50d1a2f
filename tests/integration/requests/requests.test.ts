import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRequest } from '../../../src/tickets/requests.js';
import { waitFor } from '../../support/wait.js';
import { addTechnician, createRoutingDesk, detail, eventsOf, openWebTicket, type RoutingDesk } from '../routing/routing-desk.js';

// Issue #17: a service request waits, unrouted and without SLA clocks, until it is approved; then it
// is routed like any ticket to a technician holding its item's category.

let desk: RoutingDesk;
const techs = { tom: '', nina: '' };

beforeAll(async () => {
  desk = await createRoutingDesk();
  techs.tom = (await addTechnician(desk, { name: 'Tom', tier: 1, skills: ['access'], maxLoad: 5 })).id;
  techs.nina = (await addTechnician(desk, { name: 'Nina', tier: 1, skills: ['hardware'], maxLoad: 5 })).id;
  await desk.startWorker();
});
afterAll(async () => {
  await desk?.close();
});

const manager = { name: 'Mia Manager', email: 'mia@corp.example', phone: '+33600000201' };

async function openAccessRequest(requester: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  return request(desk.app)
    .post('/api/requests')
    .set(desk.auth)
    .send({
      item: 'app-access',
      requester,
      fields: { application: 'SAP', accessLevel: 'read', reason: 'Month-end close', ...fields },
    });
}

interface OutboxRow {
  kind: string;
  channel: string;
  recipient: string;
  idempotency_key: string;
  payload: Record<string, unknown>;
}

async function outboxOf(ticketId: string): Promise<OutboxRow[]> {
  return desk.sequelize.query<OutboxRow>(
    'SELECT kind, channel, recipient, idempotency_key, payload FROM outbox WHERE ticket_id = $ticketId ORDER BY id',
    { bind: { ticketId }, type: QueryTypes.SELECT },
  );
}

describe('a service request', () => {
  it('waits unrouted until approved, then goes to a technician with the item’s category skill', async () => {
    const res = await openAccessRequest({ name: 'Rita', email: 'rita@corp.example', manager });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      type: 'request',
      status: 'awaiting_approval',
      category: 'access',
      parentId: null,
      subject: 'Access to an application: SAP',
      impact: 'low',
      urgency: 'medium',
      assignee: null,
      sla: { respondBy: null, resolveBy: null },
    });
    const { number, id } = res.body as { number: number; id: string };

    // The manager is asked by email and by SMS, once each; the requester is told it waits for approval.
    const rows = await outboxOf(id);
    const asked = rows.filter((r) => r.kind === 'approver.request');
    const shown = await detail(desk, number);
    const approvalId = shown.request?.approvals[0]?.id;
    expect(asked.map((r) => [r.channel, r.recipient, r.idempotency_key])).toEqual([
      ['email', manager.email, `approval:${approvalId}:email`],
      ['sms', manager.phone, `approval:${approvalId}:sms`],
    ]);
    expect(asked[0]?.payload).toMatchObject({ approvalId });
    const ack = rows.find((r) => r.kind === 'requester.created');
    expect(ack).toMatchObject({ recipient: 'rita@corp.example', payload: { request: { itemId: 'app-access', awaitingApproval: true } } });
    expect(shown.request).toEqual({
      item: { id: 'app-access', name: 'Access to an application' },
      fields: { application: 'SAP', accessLevel: 'read', reason: 'Month-end close' },
      approval: 'any',
      approvals: [{ id: approvalId, approver: manager, decision: null, via: null, comment: null, at: null }],
      children: [],
    });

    // An incident of the same category opened after it is routed to Tom: the worker has seen the
    // request's creation and left it alone.
    const incident = await openWebTicket(desk, { subject: 'Cannot open the HR app', category: 'access' });
    await waitFor('the incident offered to Tom', async () => (await detail(desk, incident.number)).assignee?.id === techs.tom);
    const waiting = await detail(desk, number);
    expect(waiting).toMatchObject({ status: 'awaiting_approval', assignee: null });
    expect(eventsOf(waiting, 'assigned')).toEqual([]);
    expect(eventsOf(waiting, 'queued')).toEqual([]);

    const approvedAt = Date.now();
    const approved = await request(desk.app).post(`/api/tickets/${number}/approve`).set(desk.auth).send({});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('new');
    // The request's own clocks start at its approval: 8 h to respond (the desk is open around the clock in tests).
    const respondBy = Date.parse(approved.body.sla.respondBy as string);
    expect(respondBy - approvedAt).toBeGreaterThan(8 * 3_600_000 - 60_000);
    expect(respondBy - approvedAt).toBeLessThan(8 * 3_600_000 + 60_000);

    const routed = await waitFor('the request offered to Tom', async () => {
      const t = await detail(desk, number);
      return t.assignee?.id === techs.tom ? t : null;
    });
    expect(routed.status).toBe('assigned');
    expect(eventsOf(routed, 'approval')).toEqual([
      expect.objectContaining({ actor: 'coordinator', data: { decision: 'approved', via: 'api' } }),
    ]);
  });

  it('asks the coordinator when the manager is unknown, and needs no approval when its item names no approver', async () => {
    const res = await request(desk.app)
      .post('/api/requests')
      .set(desk.auth)
      .send({
        item: 'new-hardware',
        requester: { email: 'sam@corp.example' },
        fields: { hardware: 'A second screen', reason: 'Design work' },
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // new-hardware asks the manager, and none is known: the coordinator (configured) is asked instead.
    expect(res.body.status).toBe('awaiting_approval');
    const created = eventsOf(await detail(desk, res.body.number as number), 'created')[0];
    expect(created?.data).toMatchObject({ type: 'request', item: 'new-hardware', managerUnknown: 'coordinator' });
    const asked = (await outboxOf(res.body.id as string)).filter((r) => r.kind === 'approver.request');
    expect(asked.map((r) => [r.channel, r.recipient])).toEqual([['email', 'coordinator@desk.example']]);

    const other = await request(desk.app)
      .post('/api/requests')
      .set(desk.auth)
      .send({ item: 'other', requester: { email: 'sam@corp.example' }, fields: { description: 'A standing desk, please' } });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.body).toMatchObject({ type: 'request', status: 'new', category: 'general', subject: 'Other request' });
    expect(other.body.sla.respondBy).not.toBeNull();
    expect((await outboxOf(other.body.id as string)).filter((r) => r.kind === 'approver.request')).toEqual([]);
    // `general` needs no skill: any first-line technician takes it.
    await waitFor('the request offered', async () => (await detail(desk, other.body.number as number)).status === 'assigned');
  });

  it('refuses an unknown item or a field the item does not take, naming it (422), and writes nothing', async () => {
    const before = await request(desk.app).get('/api/tickets?limit=200').set(desk.auth);
    const unknown = await request(desk.app)
      .post('/api/requests')
      .set(desk.auth)
      .send({ item: 'pony', requester: { email: 'a@corp.example' }, fields: {} });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'UNPROCESSABLE', field: 'item' });

    const badChoice = await openAccessRequest({ email: 'a@corp.example' }, { accessLevel: 'root' });
    expect(badChoice.status).toBe(422);
    expect(badChoice.body.error).toMatchObject({ code: 'UNPROCESSABLE', field: 'fields.accessLevel' });

    const missing = await openAccessRequest({ email: 'a@corp.example' }, { reason: '  ' });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'UNPROCESSABLE', field: 'fields.reason' });

    const stray = await openAccessRequest({ email: 'a@corp.example' }, { colour: 'blue' });
    expect(stray.status).toBe(422);
    expect(stray.body.error).toMatchObject({ code: 'UNPROCESSABLE', field: 'fields.colour' });

    const after = await request(desk.app).get('/api/tickets?limit=200').set(desk.auth);
    expect(after.body.total).toBe(before.body.total);
  });

  it('opened twice from one message (a redelivered email) is one request', async () => {
    const input = {
      itemId: 'other',
      requester: { email: 'redo@corp.example' },
      fields: { description: 'A headset' },
      channel: 'email' as const,
      message: {
        sender: 'redo@corp.example',
        recipient: 'requests@desk.example',
        body: 'A headset',
        externalId: '<headset-1@corp.example>',
      },
    };
    const [first, second] = await Promise.all([openRequest(desk.services.tickets, input), openRequest(desk.services.tickets, input)]);
    expect(second.id).toBe(first.id);
    const third = await openRequest(desk.services.tickets, input);
    expect(third.id).toBe(first.id);
    const counted = await desk.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE 'redo@corp.example' = ANY(r.emails)`,
      { type: QueryTypes.SELECT },
    );
    expect(counted[0]?.n).toBe(1);
  });

  it('is listed with its type, and a technician may not open one', async () => {
    const asTech = { Authorization: `Bearer ${(await addTechnician(desk, { name: 'Ida', tier: 2, skills: ['software'] })).token}` };
    const refused = await request(desk.app)
      .post('/api/requests')
      .set(asTech)
      .send({ item: 'other', requester: { email: 'b@corp.example' }, fields: { description: 'x' } });
    expect(refused.status).toBe(403);
  });
});

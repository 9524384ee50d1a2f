import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { AppError } from '../../../src/errors.js';
import { answerApproval } from '../../../src/tickets/approvals.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #17: the approvers' answers. `any`: the first decides; `all`: every approver approves, one
// rejection rejects; a second answer changes nothing; a rejection says why; every decision is an event
// naming who and how.

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

const approvers = [
  { name: 'Security desk', email: 'security@corp.example' },
  { name: 'Owner', email: 'owner@corp.example', phone: '+33600000301' },
  { phone: '+33600000302' },
];

beforeAll(async () => {
  desk = await createTestDesk({ HELPDESK_COORDINATOR_EMAIL: 'coordinator@desk.example' });
  for (const [id, approval] of [
    ['vpn-any', 'any'],
    ['vpn-all', 'all'],
  ] as const) {
    const res = await request(desk.app)
      .post('/api/catalog')
      .set(auth)
      .send({
        id,
        name: `VPN access (${approval})`,
        fields: [{ name: 'reason', label: 'Reason', type: 'textarea', required: true }],
        approvers,
        approval,
        category: 'network',
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(async () => {
  await desk?.close();
});

async function openRequest(item: string): Promise<{ id: string; number: number }> {
  const res = await request(desk.app)
    .post('/api/requests')
    .set(auth)
    .send({ item, requester: { name: 'Rita', email: 'rita@corp.example' }, fields: { reason: 'Working from home' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe('awaiting_approval');
  return res.body as { id: string; number: number };
}

async function detail(number: number): Promise<TicketDetail> {
  const res = await request(desk.app).get(`/api/tickets/${number}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

const approvalEvents = (t: TicketDetail) => t.events.filter((e) => e.type === 'approval');
const approvalIds = (t: TicketDetail) => (t.request?.approvals ?? []).map((a) => a.id);

async function outboxKinds(ticketId: string): Promise<{ kind: string; recipient: string; payload: Record<string, unknown> }[]> {
  return desk.sequelize.query('SELECT kind, recipient, payload FROM outbox WHERE ticket_id = $ticketId ORDER BY id', {
    bind: { ticketId },
    type: QueryTypes.SELECT,
  });
}

describe('approvals', () => {
  it('any: the first answer decides, and a later one is settled and changes nothing', async () => {
    const opened = await openRequest('vpn-any');
    const [first, second] = approvalIds(await detail(opened.number));
    expect(await answerApproval(desk.services.tickets, first!, { decision: 'approved', via: 'link' })).toBe('approved');

    const approved = await detail(opened.number);
    expect(approved.status).toBe('new');
    expect(approved.sla.respondBy).not.toBeNull();
    expect(approvalEvents(approved)).toEqual([
      expect.objectContaining({ actor: 'approver:security@corp.example', data: { decision: 'approved', via: 'link' } }),
    ]);
    expect(approved.request?.approvals[0]).toMatchObject({ decision: 'approved', via: 'link', comment: null });
    expect(approved.request?.approvals[0]?.at).toEqual(expect.any(String));

    // The other approver's answer comes too late: nothing changes, no event, its approval stays undecided.
    expect(await answerApproval(desk.services.tickets, second!, { decision: 'rejected', via: 'sms', comment: 'No' })).toBe('settled');
    expect(await answerApproval(desk.services.tickets, first!, { decision: 'approved', via: 'link' })).toBe('settled');
    const after = await detail(opened.number);
    expect(after.status).toBe('new');
    expect(approvalEvents(after)).toHaveLength(1);
    expect(after.request?.approvals[1]).toMatchObject({ decision: null, via: null });
  });

  it('all: each approval counts until the last; one rejection (with its comment) closes it and tells the requester why', async () => {
    const opened = await openRequest('vpn-all');
    const [first, second, third] = approvalIds(await detail(opened.number));
    expect(await answerApproval(desk.services.tickets, first!, { decision: 'approved', via: 'link' })).toBe('counted');
    expect((await detail(opened.number)).status).toBe('awaiting_approval');

    // A rejection without a reason is refused and changes nothing.
    await expect(answerApproval(desk.services.tickets, second!, { decision: 'rejected', via: 'sms', comment: '   ' })).rejects.toSatisfy(
      (err) => err instanceof AppError && err.code === 'COMMENT_REQUIRED' && err.status === 422,
    );
    expect(approvalEvents(await detail(opened.number))).toHaveLength(1);

    expect(
      await answerApproval(desk.services.tickets, second!, { decision: 'rejected', via: 'sms', comment: 'Contractors get no VPN' }),
    ).toBe('rejected');
    const rejected = await detail(opened.number);
    expect(rejected).toMatchObject({ status: 'closed', resolution: 'Contractors get no VPN', assignee: null });
    expect(approvalEvents(rejected).map((e) => [e.actor, e.data])).toEqual([
      ['approver:security@corp.example', { decision: 'approved', via: 'link' }],
      ['approver:+33600000301', { decision: 'rejected', via: 'sms', comment: 'Contractors get no VPN' }],
    ]);
    const told = (await outboxKinds(opened.id)).filter((r) => r.kind === 'requester.rejected');
    expect(told).toEqual([
      expect.objectContaining({ recipient: 'rita@corp.example', payload: expect.objectContaining({ comment: 'Contractors get no VPN' }) }),
    ]);

    expect(await answerApproval(desk.services.tickets, third!, { decision: 'approved', via: 'sms' })).toBe('settled');
    expect(approvalEvents(await detail(opened.number))).toHaveLength(2);
  });

  it('all: approved when every approver approves', async () => {
    const opened = await openRequest('vpn-all');
    const ids = approvalIds(await detail(opened.number));
    const outcomes = [];
    for (const id of ids) outcomes.push(await answerApproval(desk.services.tickets, id, { decision: 'approved', via: 'link' }));
    expect(outcomes).toEqual(['counted', 'counted', 'approved']);
    const approved = await detail(opened.number);
    expect(approved.status).toBe('new');
    expect(approvalEvents(approved).map((e) => e.actor)).toEqual([
      'approver:security@corp.example',
      'approver:owner@corp.example',
      'approver:+33600000302',
    ]);
  });

  it('its clocks count from the approval: an escalation long after the request was made is not overdue at once', async () => {
    const { id, number } = await openRequest('vpn-any');
    // It waited a month for its approvers.
    await desk.sequelize.query(`UPDATE tickets SET created_at = now() - interval '30 days' WHERE id = :id`, {
      replacements: { id },
      type: QueryTypes.UPDATE,
    });
    expect((await request(desk.app).post(`/api/tickets/${number}/approve`).set(auth).send({})).status).toBe(200);
    const res = await request(desk.app).post(`/api/tickets/${number}/escalate`).set(auth).send({ reason: 'Needs the network team' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const t = await detail(number);
    expect(t.tier).toBe(2);
    expect(new Date(t.sla.respondBy ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(t.sla.resolveBy ?? 0).getTime()).toBeGreaterThan(Date.now());
  });

  it('two answers at once: one decides, the other is settled', async () => {
    const opened = await openRequest('vpn-any');
    const [first, second] = approvalIds(await detail(opened.number));
    const outcomes = await Promise.all([
      answerApproval(desk.services.tickets, first!, { decision: 'approved', via: 'link' }),
      answerApproval(desk.services.tickets, second!, { decision: 'rejected', via: 'link', comment: 'No budget' }),
    ]);
    expect([...outcomes].sort()).toEqual(outcomes.includes('approved') ? ['approved', 'settled'] : ['rejected', 'settled']);
    const decided = await detail(opened.number);
    expect(approvalEvents(decided)).toHaveLength(1);
    expect(decided.status).toBe(outcomes.includes('approved') ? 'new' : 'closed');
  });

  it('a coordinator decides through the API: a reject needs a comment (422), a decided request is a 409', async () => {
    const opened = await openRequest('vpn-all');
    const bare = await request(desk.app).post(`/api/tickets/${opened.number}/reject`).set(auth).send({});
    expect(bare.status).toBe(422);
    expect(bare.body.error.code).toBe('COMMENT_REQUIRED');
    expect((await detail(opened.number)).status).toBe('awaiting_approval');

    // Nothing but an answer takes it out of the wait.
    const moved = await request(desk.app).patch(`/api/tickets/${opened.number}`).set(auth).send({ status: 'new' });
    expect(moved.status).toBe(409);

    const rejected = await request(desk.app).post(`/api/tickets/${opened.number}/reject`).set(auth).send({ comment: 'Not for interns' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'closed', resolution: 'Not for interns' });
    const again = await request(desk.app).post(`/api/tickets/${opened.number}/approve`).set(auth).send({});
    expect(again.status).toBe(409);

    const t = await detail(opened.number);
    expect(approvalEvents(t)).toEqual([
      expect.objectContaining({ actor: 'coordinator', data: { decision: 'rejected', via: 'api', comment: 'Not for interns' } }),
    ]);
    // The approvers never answered: their approvals stay undecided, moot.
    expect(t.request?.approvals.map((a) => a.decision)).toEqual([null, null, null]);

    // Reopened (a reply to the rejection, say), a rejected request waits for a decision again: never worked unapproved.
    const reopened = await request(desk.app).post(`/api/tickets/${opened.number}/reopen`).set(auth).send({ reason: 'But I need it' });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'awaiting_approval', assignee: null, sla: { respondBy: null } });
    // An approver who never answered cannot decide it now: unanswered approvals became moot with the rejection.
    const [stale] = approvalIds(t);
    expect(await answerApproval(desk.services.tickets, stale!, { decision: 'approved', via: 'link' })).toBe('settled');
    expect((await detail(opened.number)).status).toBe('awaiting_approval');
    const approved = await request(desk.app).post(`/api/tickets/${opened.number}/approve`).set(auth).send({ comment: 'Fine, for a month' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('new');
    expect(approvalEvents(await detail(opened.number)).map((e) => e.data)).toEqual([
      { decision: 'rejected', via: 'api', comment: 'Not for interns' },
      { decision: 'approved', via: 'api', comment: 'Fine, for a month' },
    ]);

    const incident = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'Printer jam', requester: { email: 'rita@corp.example' } });
    expect((await request(desk.app).post(`/api/tickets/${incident.body.number}/approve`).set(auth).send({})).status).toBe(409);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OFFER_RULES } from '../../../src/rules/rules-schemas.js';
import { DEFAULT_SLA_TARGETS } from '../../../src/rules/sla.js';
import { acceptTicket } from '../../../src/tickets/actions.js';
import { deleteKeys } from '../../support/redis.js';
import { addTechnician, createRoutingDesk, detail, eventsOf, openWebTicket, putRule, type RoutingDesk } from './routing-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Timers with short targets set through the rules API (minutes may be fractions): offers time out
 * in seconds, an SLA target is missed in seconds. Assertions poll for the state, never sleep.
 */
let desk: RoutingDesk;

beforeAll(async () => {
  desk = await createRoutingDesk();
});
afterAll(async () => {
  await desk?.close();
});

const seconds = (s: number) => s / 60;

async function outboxKinds(ticketId: string): Promise<{ kind: string; recipient: string }[]> {
  const rows = await desk.services.store.outbox.forTicket(ticketId);
  return rows.map((r) => ({ kind: r.kind, recipient: r.recipient }));
}

describe('offers that nobody answers', () => {
  it('expire, move to the next best technician, remind before, and repeat the text for P1', async () => {
    await putRule(desk, 'offer-timeouts', {
      ...DEFAULT_OFFER_RULES,
      timeouts: { P1: seconds(3), P2: seconds(2), P3: 30, P4: 30 },
      p1RepeatMinutes: seconds(0.5),
    });
    const ada = await addTechnician(desk, { name: 'Ada', tier: 1, skills: ['hardware'], phone: '+33600000001' });
    const bob = await addTechnician(desk, { name: 'Bob', tier: 1, skills: ['hardware', 'printing'], phone: '+33600000002' });
    await desk.startWorker();

    // P2 (high impact, medium urgency): Ada first (exact skills), then Bob after her 2 s.
    const p2 = await openWebTicket(desk, { subject: 'Laptop screen broken', category: 'hardware', impact: 'high', urgency: 'medium' });
    expect(p2.priority).toBe('P2');
    const moved = await waitFor('the offer to move to Bob', async () => {
      const t = await detail(desk, p2.number);
      return t.assignee?.id === bob.id ? t : undefined;
    });
    expect(eventsOf(moved, 'offer_expired')).toMatchObject([{ actor: 'system:routing', data: { technicianId: ada.id } }]);
    expect(eventsOf(moved, 'assigned').map((e) => e.data.technicianId)).toEqual([ada.id, bob.id]);
    // Ada was reminded once (at half the timeout) before it expired.
    const reminders = (await outboxKinds(p2.id)).filter((r) => r.kind === 'technician.offer-reminder');
    expect(reminders).toContainEqual({ kind: 'technician.offer-reminder', recipient: '+33600000001' });
    await acceptTicket(desk.services.tickets, String(p2.number), bob.id);

    // P1: reminders at 1.5 s, 2 s, 2.5 s, then expiry at 3 s; Ada is free again and takes it first.
    const p1 = await openWebTicket(desk, {
      subject: 'Every laptop on the floor is dead',
      category: 'hardware',
      impact: 'high',
      urgency: 'high',
    });
    expect(p1.priority).toBe('P1');
    const expired = await waitFor('the P1 offer to expire', async () => {
      const t = await detail(desk, p1.number);
      return eventsOf(t, 'offer_expired').length > 0 ? t : undefined;
    });
    const toAda = eventsOf(expired, 'offer_reminder').filter((e) => e.data.technicianId === ada.id);
    expect(toAda.map((e) => e.data.n)).toEqual([0, 1, 2]);
    // Bob holds P2 in progress; he is next for the P1.
    expect(expired.assignee?.id).toBe(bob.id);
  });

  it('is accepted in time and then nothing fires', async () => {
    await putRule(desk, 'offer-timeouts', { ...DEFAULT_OFFER_RULES, timeouts: { P1: 5, P2: 10, P3: seconds(2), P4: 30 } });
    const cleo = await addTechnician(desk, { name: 'Cleo', tier: 1, skills: ['software'] });
    const ticket = await openWebTicket(desk, { subject: 'Excel crashes', category: 'software' });
    await waitFor('the offer', async () => (await detail(desk, ticket.number)).assignee?.id === cleo.id);
    await acceptTicket(desk.services.tickets, String(ticket.number), cleo.id);
    // The expiry job still fires (it was scheduled) and finds the offer accepted: no change.
    await waitFor('the expiry timer to fire', async () => !(await desk.pendingTimers(ticket.id)).includes('offer-expiry'));
    expect(eventsOf(await detail(desk, ticket.number), 'offer_expired')).toHaveLength(0);
    expect((await detail(desk, ticket.number)).status).toBe('in_progress');
  });
});

describe('SLA', () => {
  it('warns at 75%, then on a P2 breach escalates to tier 2 as P1 and tells the coordinator', async () => {
    await putRule(desk, 'sla-targets', { ...DEFAULT_SLA_TARGETS, P2: { ...DEFAULT_SLA_TARGETS.P2, responseMinutes: seconds(2) } });
    await putRule(desk, 'offer-timeouts', DEFAULT_OFFER_RULES);
    const dan = await addTechnician(desk, { name: 'Dan', tier: 1, skills: ['access'], phone: '+33600000004' });
    const erin = await addTechnician(desk, { name: 'Erin', tier: 2, skills: ['access'], phone: '+33600000005' });
    const ticket = await openWebTicket(desk, {
      subject: 'Cannot open the shared drive',
      category: 'access',
      impact: 'high',
      urgency: 'medium',
    });
    expect(ticket).toMatchObject({ priority: 'P2', tier: 1 });

    // Dan gets the offer and does not answer; the 2-second response target passes.
    const escalated = await waitFor('the escalation', async () => {
      const t = await detail(desk, ticket.number);
      return t.tier === 2 && t.assignee?.id === erin.id ? t : undefined;
    });
    expect(escalated).toMatchObject({ priority: 'P1', tier: 2, status: 'assigned', sla: { breached: true } });
    const types = escalated.events.map((e) => e.type);
    expect(types.indexOf('sla_warning')).toBeGreaterThan(-1);
    expect(types.indexOf('sla_warning')).toBeLessThan(types.indexOf('sla_breached'));
    expect(eventsOf(escalated, 'sla_breached')).toMatchObject([{ data: { clock: 'response', priority: 'P2' } }]);
    expect(eventsOf(escalated, 'escalated')).toMatchObject([
      { data: { from: { tier: 1, priority: 'P2' }, to: { tier: 2, priority: 'P1' }, previousAssignee: dan.id } },
    ]);
    const outbox = await outboxKinds(ticket.id);
    expect(outbox).toContainEqual({ kind: 'technician.sla-warning', recipient: '+33600000004' });
    expect(outbox).toContainEqual({ kind: 'coordinator.breach', recipient: 'coordinator@desk.example' });
    expect(outbox).toContainEqual({ kind: 'technician.offer', recipient: '+33600000005' });
    // Once per clock: the response breach is not recorded again.
    expect(eventsOf(await detail(desk, ticket.number), 'sla_breached')).toHaveLength(1);
  });

  it('stops the clock while the ticket waits on its requester', async () => {
    await putRule(desk, 'sla-targets', { ...DEFAULT_SLA_TARGETS, P3: { ...DEFAULT_SLA_TARGETS.P3, resolutionMinutes: seconds(3) } });
    const fay = await addTechnician(desk, { name: 'Fay', tier: 1, skills: ['email'] });
    const ticket = await openWebTicket(desk, { subject: 'Mailbox full', category: 'email' });
    await waitFor('the offer', async () => (await detail(desk, ticket.number)).assignee?.id === fay.id);
    await acceptTicket(desk.services.tickets, String(ticket.number), fay.id);
    const paused = await request(desk.app).patch(`/api/tickets/${ticket.number}`).set(desk.auth).send({ status: 'pending' });
    expect(paused.status).toBe(200);
    const resolveBy = new Date(paused.body.sla.resolveBy as string).getTime();
    // The breach timer of the original due date fires and finds the clock stopped.
    await waitFor('the breach timer to fire', async () => !(await desk.pendingTimers(ticket.id)).includes('sla-breach'));
    expect(Date.now()).toBeGreaterThan(resolveBy);
    expect((await detail(desk, ticket.number)).sla.breached).toBe(false);
    // Back to work: the due date moves by the pause, and the clock runs out from there.
    const resumed = await request(desk.app).patch(`/api/tickets/${ticket.number}`).set(desk.auth).send({ status: 'in_progress' });
    expect(new Date(resumed.body.sla.resolveBy as string).getTime()).toBeGreaterThan(resolveBy);
    const breached = await waitFor('the breach after resuming', async () => {
      const t = await detail(desk, ticket.number);
      return t.sla.breached ? t : undefined;
    });
    expect(eventsOf(breached, 'sla_breached')).toMatchObject([{ data: { clock: 'resolution' } }]);
    await desk.stopWorkers();
  });
});

describe('a reopened ticket', () => {
  it('goes back to its technician as a fresh offer, not one that timed out long ago', async () => {
    await putRule(desk, 'offer-timeouts', DEFAULT_OFFER_RULES);
    await desk.startWorker();
    const ivo = await addTechnician(desk, { name: 'Ivo', tier: 1, skills: ['security'] });
    const ticket = await openWebTicket(desk, { subject: 'Suspicious attachment', category: 'security' });
    await waitFor('the offer', async () => (await detail(desk, ticket.number)).assignee?.id === ivo.id);
    await acceptTicket(desk.services.tickets, String(ticket.number), ivo.id);
    await request(desk.app).post(`/api/tickets/${ticket.number}/resolve`).set(desk.auth).send({ resolution: 'Deleted it' });
    // The first offer was made an hour ago.
    await desk.sequelize.query(`UPDATE tickets SET offered_at = now() - interval '1 hour' WHERE id = :id`, {
      replacements: { id: ticket.id },
    });
    const reopened = await request(desk.app).post(`/api/tickets/${ticket.number}/reopen`).set(desk.auth).send({ reason: 'It came back' });
    expect(reopened.body).toMatchObject({ status: 'assigned', assignee: { id: ivo.id } });
    const renewed = await waitFor('the renewed offer', async () => {
      const t = await detail(desk, ticket.number);
      return eventsOf(t, 'offer_renewed').length > 0 && (await desk.pendingTimers(ticket.id)).includes('offer-expiry') ? t : undefined;
    });
    expect(eventsOf(renewed, 'offer_renewed')).toMatchObject([{ data: { technicianId: ivo.id, reason: 'reopened' } }]);
    expect((await outboxKinds(ticket.id)).filter((r) => r.kind === 'technician.offer')).toHaveLength(2);
    const after = await detail(desk, ticket.number);
    expect(after).toMatchObject({ status: 'assigned', assignee: { id: ivo.id } });
    expect(eventsOf(after, 'offer_expired')).toHaveLength(0);
    await desk.stopWorkers();
  });
});

describe('a restart in the middle of a timer', () => {
  it('fires the timer once, whether Redis kept the job or lost it', async () => {
    await putRule(desk, 'offer-timeouts', { ...DEFAULT_OFFER_RULES, timeouts: { P1: 5, P2: 10, P3: 30, P4: seconds(2) } });
    const gus = await addTechnician(desk, { name: 'Gus', tier: 1, skills: ['accounts'] });
    const hal = await addTechnician(desk, { name: 'Hal', tier: 1, skills: ['accounts', 'email'] });

    for (const redisLost of [false, true]) {
      const stopFirst = await desk.startWorker();
      const ticket = await openWebTicket(desk, { subject: 'Password expired', category: 'accounts', impact: 'low', urgency: 'low' });
      expect(ticket.priority).toBe('P4');
      await waitFor('the offer to Gus', async () => (await detail(desk, ticket.number)).assignee?.id === gus.id);
      await stopFirst();
      if (redisLost) await deleteKeys(desk.redisUrl, desk.prefix);
      // Two new workers start: both rebuild the timers from the database.
      await desk.startWorker();
      await desk.startWorker();
      const moved = await waitFor('the offer to move to Hal', async () => {
        const t = await detail(desk, ticket.number);
        return t.assignee?.id === hal.id ? t : undefined;
      });
      expect(eventsOf(moved, 'offer_expired')).toHaveLength(1);
      expect(eventsOf(moved, 'assigned').map((e) => e.data.technicianId)).toEqual([gus.id, hal.id]);
      await acceptTicket(desk.services.tickets, String(ticket.number), hal.id);
      await desk.stopWorkers();
    }
  });
});

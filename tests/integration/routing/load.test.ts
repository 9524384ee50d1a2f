import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTicket } from '../../../src/routing/assign.js';
import { createRoutingEngine, type RoutingEngine } from '../../../src/routing/engine.js';
import { escalateTicket, reopenTicket, resolveTicket, updateTicket } from '../../../src/tickets/actions.js';
import type { Actor } from '../../../src/domain/ticket.js';
import { addTechnician, createRoutingDesk, detail, eventsOf, openWebTicket, type RoutingDesk } from './routing-desk.js';

/**
 * Routing reads each technician's load off their own row, kept there by the database as tickets
 * change. Whichever way a ticket comes to a technician or leaves them (a coordinator's assignment
 * or reassignment, a resolution, a reopening, an escalation, a new priority), the next decision
 * must see it at once. Routing is called directly here, one decision at a time.
 */
let desk: RoutingDesk;
let engine: RoutingEngine;
const coordinator: Actor = { kind: 'coordinator' };
let fay = '';
let gus = '';

beforeAll(async () => {
  desk = await createRoutingDesk();
  engine = createRoutingEngine({
    deps: { ...desk.services.tickets, listeners: [] },
    rules: desk.services.rules,
    timezone: desk.config.timezone,
  });
  fay = (await addTechnician(desk, { name: 'Fay', tier: 1, skills: ['network'], maxLoad: 1 })).id;
  gus = (await addTechnician(desk, { name: 'Gus', tier: 1, skills: ['network'], maxLoad: 1 })).id;
});
afterAll(async () => {
  await desk?.close();
});

async function networkTicket(subject: string) {
  return openWebTicket(desk, { subject, category: 'network' });
}

async function route(ticket: { id: string }): Promise<string> {
  const outcome = await routeTicket(engine, ticket.id);
  return outcome.kind === 'offered' ? outcome.technicianId : outcome.kind;
}

describe('the load routing weighs', () => {
  it('follows every change of a ticket, whoever makes it', async () => {
    const t1 = await networkTicket('Switch in room 12 blinking');
    await updateTicket(desk.services.tickets, String(t1.number), { assigneeId: fay }, coordinator);
    // Fay is full with the coordinator's assignment: the next goes to Gus, then nobody is left.
    const t2 = await networkTicket('VPN refuses my password');
    expect(await route(t2)).toBe(gus);
    const t3 = await networkTicket('Wifi slow in the meeting room');
    expect(await route(t3)).toBe('queued');

    // Reassigned from Fay to Gus: Fay has room again.
    await updateTicket(desk.services.tickets, String(t1.number), { assigneeId: gus }, coordinator);
    expect(await route(t3)).toBe(fay);

    // Gus resolves one of his two: still full. Resolving the other frees him.
    const t4 = await networkTicket('Cannot reach the intranet');
    await resolveTicket(desk.services.tickets, String(t2.number), 'Password reset', { kind: 'technician', id: gus });
    expect(await route(t4)).toBe('queued');
    await resolveTicket(desk.services.tickets, String(t1.number), 'Switch replaced', { kind: 'technician', id: gus });
    expect(await route(t4)).toBe(gus);

    // Escalated away from Fay (to tier 2): her load drops.
    await escalateTicket(desk.services.tickets, String(t3.number), 'needs a network engineer', coordinator);
    const t5 = await networkTicket('Printer VLAN unreachable');
    expect(await route(t5)).toBe(fay);

    // Reopened to Gus, who resolved it: his load is back up.
    await reopenTicket(desk.services.tickets, String(t1.number), 'the switch blinks again', coordinator);
    expect((await detail(desk, t1.number)).status).toBe('assigned');
    for (const id of [fay, gus]) {
      const res = await request(desk.app).patch(`/api/technicians/${id}`).set(desk.auth).send({ maxLoad: 5 });
      expect(res.status).toBe(200);
    }
    // Fay holds one ticket, Gus two (same priority): Fay is lighter.
    const t6 = await networkTicket('Dock does not charge the laptop');
    expect(await route(t6)).toBe(fay);
    const [offer] = eventsOf(await detail(desk, t6.number), 'assigned');
    const reasons = (offer?.data.why as { top: { id: string; reasons: string[] }[] }).top.map((c) => [
      c.id,
      c.reasons.find((r) => r.startsWith('load')),
    ]);
    expect(reasons).toEqual([
      [fay, expect.stringMatching(/ \(1\/5 open\)$/)],
      [gus, expect.stringMatching(/ \(2\/5 open\)$/)],
    ]);

    // Two tickets each now, all of one priority: even, and Gus, idle longer, would be next. His
    // two become P2: weighted, he is busier, and Fay gets it.
    for (const t of [t1, t4]) await updateTicket(desk.services.tickets, String(t.number), { priority: 'P2' }, coordinator);
    const t7 = await networkTicket('Screen flickers on the docking station');
    expect(await route(t7)).toBe(fay);
  });
});

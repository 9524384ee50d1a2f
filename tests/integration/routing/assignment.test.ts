import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byPriorityThenAge } from '../../../src/tickets/escalation.js';
import { declineTicket, resolveTicket } from '../../../src/tickets/actions.js';
import { addTechnician, createRoutingDesk, detail, eventsOf, openWebTicket, type RoutingDesk } from './routing-desk.js';
import { waitFor } from '../../support/wait.js';

let desk: RoutingDesk;
const techs = { ana: '', ben: '', carl: '', dina: '' };

beforeAll(async () => {
  desk = await createRoutingDesk();
  // Tier 1: a network specialist, a generalist who also does network; tier 2: a network expert;
  // a tier-1 printer person. Nobody holds `security` yet.
  techs.ana = (await addTechnician(desk, { name: 'Ana', tier: 1, skills: ['network'], maxLoad: 1 })).id;
  techs.ben = (await addTechnician(desk, { name: 'Ben', tier: 1, skills: ['network', 'printing', 'email'], maxLoad: 3 })).id;
  techs.carl = (await addTechnician(desk, { name: 'Carl', tier: 2, skills: ['network'], maxLoad: 3 })).id;
  techs.dina = (await addTechnician(desk, { name: 'Dina', tier: 1, skills: ['printing'], maxLoad: 3 })).id;
  await desk.startWorker();
});
afterAll(async () => {
  await desk?.close();
});

async function assigneeOf(number: number): Promise<string | undefined> {
  const t = await detail(desk, number);
  return t.status === 'assigned' ? t.assignee?.id : undefined;
}

describe('assignment', () => {
  it('offers a ticket to the best technician of its tier holding its skills, and says why in the event', async () => {
    const ticket = await openWebTicket(desk, { subject: 'VPN keeps dropping', category: 'network' });
    expect(await waitFor('an offer', () => assigneeOf(ticket.number))).toBe(techs.ana);

    const t = await detail(desk, ticket.number);
    const [assigned] = eventsOf(t, 'assigned');
    expect(assigned).toMatchObject({ actor: 'system:routing', data: { technicianId: techs.ana } });
    const why = assigned?.data.why as {
      decidedBy: string;
      tier: number;
      requiredSkills: string[];
      considered: number;
      top: { id: string; reasons: string[] }[];
    };
    // Ana and Ben are the tier-1 network technicians; Carl (tier 2) and Dina (no network) are not considered.
    expect(why).toMatchObject({ decidedBy: 'skill fit', tier: 1, requiredSkills: ['network'], considered: 2 });
    expect(why.top.map((c) => c.id)).toEqual([techs.ana, techs.ben]);
    expect(why.top[0]?.reasons).toContain('exact skills');
    expect(why.top[1]?.reasons).toContain('2 other skills');
  });

  it('goes to the next candidate once the best one is at max load, and the load counts', async () => {
    // Ana holds one ticket of max 1: the next network ticket goes to Ben.
    const ticket = await openWebTicket(desk, { subject: 'Wifi down on floor 3', category: 'network' });
    expect(await waitFor('an offer', () => assigneeOf(ticket.number))).toBe(techs.ben);
    const [assigned] = eventsOf(await detail(desk, ticket.number), 'assigned');
    expect((assigned?.data.why as { excluded: Record<string, number> }).excluded).toEqual({ 'at max load': 1 });
  });

  it('keeps a ticket nobody can take waiting, with why, and offers it when someone who fits appears', async () => {
    const ticket = await openWebTicket(desk, { subject: 'Phishing mail received', category: 'security' });
    const queued = await waitFor('the queued event', async () => eventsOf(await detail(desk, ticket.number), 'queued')[0]);
    expect(queued.data.why).toMatchObject({ considered: 0, reason: 'no available tier 1 technician holds security' });
    // Nothing changes while nobody fits: the ticket waits, new and unassigned, queued once.
    const again = await request(desk.app).patch(`/api/technicians/${techs.dina}`).set(desk.auth).send({ maxLoad: 4 });
    expect(again.status).toBe(200);

    const eve = await addTechnician(desk, { name: 'Eve', tier: 1, skills: ['security'], available: false });
    expect((await detail(desk, ticket.number)).status).toBe('new');
    const patched = await request(desk.app).patch(`/api/technicians/${eve.id}`).set(desk.auth).send({ available: true });
    expect(patched.status).toBe(200);
    expect(await waitFor('the offer to Eve', () => assigneeOf(ticket.number))).toBe(eve.id);
    expect(eventsOf(await detail(desk, ticket.number), 'queued')).toHaveLength(1);
  });

  it('offers the next waiting ticket to a technician whose ticket is resolved (load freed)', async () => {
    // Ana is full with the first ticket; a second network ticket that only she could take waits.
    await request(desk.app).patch(`/api/technicians/${techs.ben}`).set(desk.auth).send({ available: false });
    const waiting = await openWebTicket(desk, { subject: 'Network printer unreachable', category: 'network' });
    await waitFor('queued', async () => eventsOf(await detail(desk, waiting.number), 'queued').length > 0);
    const mine = (await request(desk.app).get(`/api/tickets?assignee=${techs.ana}&status=assigned`).set(desk.auth)).body.items as {
      number: number;
    }[];
    expect(mine).toHaveLength(1);
    await resolveTicket(desk.services.tickets, String(mine[0]?.number), 'Reset the VPN profile', { kind: 'technician', id: techs.ana });
    expect(await waitFor('the waiting ticket offered to Ana', () => assigneeOf(waiting.number))).toBe(techs.ana);
    await request(desk.app).patch(`/api/technicians/${techs.ben}`).set(desk.auth).send({ available: true });
  });

  it('hands a declined ticket to the next technician, and never back to the one who declined', async () => {
    const ticket = await openWebTicket(desk, { subject: 'Printer jams', category: 'printing' });
    // Dina (exact skills) first; Ben next.
    expect(await waitFor('an offer', () => assigneeOf(ticket.number))).toBe(techs.dina);
    await declineTicket(desk.services.tickets, String(ticket.number), techs.dina, 'on leave this afternoon');
    expect(await waitFor('the offer to Ben', () => assigneeOf(ticket.number))).toBe(techs.ben);
    await declineTicket(desk.services.tickets, String(ticket.number), techs.ben);
    // Nobody left who has not declined it: it waits, and says so.
    const t = await waitFor('queued after two declines', async () => {
      const d = await detail(desk, ticket.number);
      return d.status === 'new' && eventsOf(d, 'queued').length > 0 ? d : undefined;
    });
    expect(eventsOf(t, 'queued')[0]?.data.why).toMatchObject({ excluded: { 'declined this ticket': 2 } });
    expect(eventsOf(t, 'assigned').map((e) => e.data.technicianId)).toEqual([techs.dina, techs.ben]);
  });
});

describe('the waiting queue', () => {
  it('offers waiting tickets by priority, then age, as room frees up', async () => {
    const gil = await addTechnician(desk, { name: 'Gil', tier: 1, skills: ['software'], maxLoad: 1, available: false });
    const specs = [
      { subject: 'Excel add-in missing', impact: 'medium', urgency: 'medium' },
      { subject: 'ERP slow for me', impact: 'high', urgency: 'medium' },
      { subject: 'Teams update needed', impact: 'medium', urgency: 'medium' },
      { subject: 'ERP down for the accounts team', impact: 'high', urgency: 'high' },
    ];
    const opened = [];
    for (const spec of specs) opened.push(await openWebTicket(desk, { ...spec, category: 'software' }));
    for (const t of opened) await waitFor('queued', async () => eventsOf(await detail(desk, t.number), 'queued').length > 0);
    const details = await Promise.all(opened.map((t) => detail(desk, t.number)));
    const expected = [...details]
      .sort((a, b) => byPriorityThenAge({ ...a, createdAt: new Date(a.createdAt) }, { ...b, createdAt: new Date(b.createdAt) }))
      .map((t) => t.number);
    expect(details.map((t) => t.priority)).toEqual(['P3', 'P2', 'P3', 'P1']);

    await request(desk.app).patch(`/api/technicians/${gil.id}`).set(desk.auth).send({ available: true });
    const served: number[] = [];
    for (let i = 0; i < opened.length; i++) {
      const next = await waitFor('the next offer to Gil', async () => {
        const items = (await request(desk.app).get(`/api/tickets?assignee=${gil.id}&status=assigned`).set(desk.auth)).body.items as {
          number: number;
        }[];
        return items[0];
      });
      served.push(next.number);
      await resolveTicket(desk.services.tickets, String(next.number), 'Fixed', { kind: 'technician', id: gil.id });
    }
    expect(served).toEqual(expected);
  });
});

describe('known outages', () => {
  it('links a ticket about an ongoing outage to it and does not assign it', async () => {
    const outage = await request(desk.app)
      .post('/api/outages')
      .set(desk.auth)
      .send({ title: 'Mail is slow', message: 'We know; we are on it.', category: 'email' });
    expect(outage.status).toBe(201);
    await addTechnician(desk, { name: 'Finn', tier: 1, skills: ['email'] });
    const ticket = await openWebTicket(desk, { subject: 'Mail very slow in Outlook', category: 'email' });
    const linked = await waitFor('the link', async () => eventsOf(await detail(desk, ticket.number), 'linked_to_outage')[0]);
    expect(linked.data).toMatchObject({ outageId: outage.body.id, category: 'email' });
    const t = await detail(desk, ticket.number);
    expect(t).toMatchObject({ status: 'new', assignee: null, outageId: outage.body.id });
    expect(eventsOf(t, 'assigned')).toHaveLength(0);

    // Once the outage is over, routing offers it at once (the outage_ended event), not at its next sweep.
    expect((await request(desk.app).delete(`/api/outages/${outage.body.id}`).set(desk.auth)).status).toBe(204);
    const offered = await waitFor('the offer after the end', async () => eventsOf(await detail(desk, ticket.number), 'assigned')[0]);
    expect(offered.data).toMatchObject({ technicianId: expect.any(String) });
    expect(eventsOf(await detail(desk, ticket.number), 'outage_ended')[0]).toMatchObject({ actor: 'coordinator' });
  });
});

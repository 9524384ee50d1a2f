import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY_MATRIX } from '../../../src/rules/priority.js';
import { DEFAULT_SLA_TARGETS } from '../../../src/rules/sla.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { addTechnician, createRoutingDesk, openWebTicket, putRule, type RoutingDesk } from './routing-desk.js';

let desk: RoutingDesk;

beforeAll(async () => {
  // Business hours as in the contract's default, so that the calendar and holidays matter.
  desk = await createRoutingDesk({ HELPDESK_BUSINESS_HOURS: 'mon-fri 08:00-18:00', HELPDESK_TIMEZONE: 'Europe/Paris' });
});
afterAll(async () => {
  await desk?.close();
});

describe('rules as data', () => {
  it('are seeded with the defaults and readable by name', async () => {
    const all = await request(desk.app).get('/api/rules').set(desk.auth);
    expect(all.status).toBe(200);
    expect(Object.keys(all.body).sort()).toEqual(
      ['calendar', 'load-weights', 'offer-timeouts', 'priority-keywords', 'priority-matrix', 'request-sla-targets', 'sla-targets'].sort(),
    );
    const matrix = await request(desk.app).get('/api/rules/priority-matrix').set(desk.auth);
    expect(matrix.body).toEqual(DEFAULT_PRIORITY_MATRIX);
    const sla = await request(desk.app).get('/api/rules/sla-targets').set(desk.auth);
    expect(sla.body).toEqual(DEFAULT_SLA_TARGETS);
    expect((await request(desk.app).get('/api/rules/nope').set(desk.auth)).status).toBe(404);
    const openapi = await request(desk.app).get('/api/openapi.json');
    expect(Object.keys(openapi.body.paths['/api/rules/{name}'] ?? {})).toEqual(expect.arrayContaining(['get', 'put']));
  });

  it('refuses a malformed rule, naming the field, and changes nothing', async () => {
    const bad = await request(desk.app)
      .put('/api/rules/priority-matrix')
      .set(desk.auth)
      .send({ ...DEFAULT_PRIORITY_MATRIX, low: { ...DEFAULT_PRIORITY_MATRIX.low, low: 'P9' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.body.error.message).toMatch(/^low\.low: /);
    const unknown = await request(desk.app).put('/api/rules/calendar').set(desk.auth).send({ holidays: [], colour: 'red' });
    expect(unknown.status).toBe(400);
    expect((await request(desk.app).get('/api/rules/priority-matrix').set(desk.auth)).body).toEqual(DEFAULT_PRIORITY_MATRIX);
  });

  it('are for coordinators only', async () => {
    const tech = await addTechnician(desk, { name: 'Tina', tier: 1, skills: ['network'], available: false });
    const asTech = { Authorization: `Bearer ${tech.token}` };
    expect((await request(desk.app).get('/api/rules/sla-targets').set(asTech)).status).toBe(403);
    expect((await request(desk.app).put('/api/rules/calendar').set(asTech).send({ holidays: [] })).status).toBe(403);
    expect((await request(desk.app).put('/api/categories/network').set(asTech).send({ requiredSkills: [], startingTier: 1 })).status).toBe(
      403,
    );
    // Reading the categories is part of a technician's work.
    expect((await request(desk.app).get('/api/categories').set(asTech)).status).toBe(200);
  });

  it('apply to the next ticket: an edited matrix gives another priority', async () => {
    await putRule(desk, 'priority-matrix', { ...DEFAULT_PRIORITY_MATRIX, low: { ...DEFAULT_PRIORITY_MATRIX.low, low: 'P3' } });
    const ticket = await openWebTicket(desk, { subject: 'Label printer question', impact: 'low', urgency: 'low' });
    expect(ticket.priority).toBe('P3');
    await putRule(desk, 'priority-matrix', DEFAULT_PRIORITY_MATRIX);
    expect((await openWebTicket(desk, { subject: 'Another question', impact: 'low', urgency: 'low' })).priority).toBe('P4');
  });

  it('categories: create one with its skills, starting tier and keywords, and tickets follow it', async () => {
    const created = await request(desk.app)
      .put('/api/categories/telephony')
      .set(desk.auth)
      .send({ requiredSkills: ['Telephony', 'network'], startingTier: 2, keywords: ['standard telephonique', 'softphone'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'telephony', skills: ['telephony', 'network'], startTier: 2 });
    const replaced = await request(desk.app)
      .put('/api/categories/telephony')
      .set(desk.auth)
      .send({ requiredSkills: ['telephony'], startingTier: 2, keywords: ['softphone'] });
    expect(replaced.status).toBe(200);
    expect((await request(desk.app).get('/api/categories/telephony').set(desk.auth)).body.skills).toEqual(['telephony']);

    const ticket = await openWebTicket(desk, { subject: 'My softphone does not ring' });
    expect(ticket).toMatchObject({ tier: 2 });
    expect((ticket as { category?: string }).category).toBe('telephony');
    const bad = await request(desk.app).put('/api/categories/Bad%20Name').set(desk.auth).send({ requiredSkills: [], startingTier: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^name: /);
    const badTier = await request(desk.app).put('/api/categories/x').set(desk.auth).send({ requiredSkills: [], startingTier: 4 });
    expect(badTier.status).toBe(400);
  });
});

describe('business hours with stored holidays', () => {
  it('count a P3 response target across a weekend, a holiday Monday and the spring DST change', async () => {
    await putRule(desk, 'calendar', { holidays: ['2026-03-30'] });
    // Friday 27 March 2026, 17:00 in Paris (16:00Z): one business hour left that day; Monday is a
    // holiday; clocks go forward on Sunday 29 March. 4 business hours end Tuesday 11:00 CEST (09:00Z).
    const friday = new Date('2026-03-27T16:00:00Z');
    const { ticket } = await openTicket(
      { ...desk.services.tickets, now: () => friday },
      {
        channel: 'web',
        subject: 'New starter needs a screen',
        description: '',
        category: 'hardware',
        requester: { email: 'rh@example.com' },
      },
    );
    expect(ticket?.priority).toBe('P3');
    expect(ticket?.sla.respondBy).toBe('2026-03-31T09:00:00.000Z');
    // Without the holiday, Monday counts: due Monday 11:00 CEST.
    await putRule(desk, 'calendar', { holidays: [] });
    const again = await openTicket(
      { ...desk.services.tickets, now: () => friday },
      { channel: 'web', subject: 'Another screen', description: '', category: 'hardware', requester: { email: 'rh@example.com' } },
    );
    expect(again.ticket?.sla.respondBy).toBe('2026-03-30T09:00:00.000Z');
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/store/seed-demo.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

describe('helpdesk seed --demo', () => {
  it('gives a newcomer a realistic desk to look at, once', async () => {
    const summary = await seedDemo(desk.services.store);
    expect(summary).toMatch(/12 technicians/);
    const technicians = await request(desk.app).get('/api/technicians').set(bearer(COORDINATOR_TOKEN));
    const items = technicians.body.items as { tier: number; skills: string[]; onCall: boolean }[];
    expect(items).toHaveLength(12);
    expect(new Set(items.map((t) => t.tier))).toEqual(new Set([1, 2, 3]));
    for (const skill of ['network', 'printing', 'accounts', 'email', 'hardware', 'security']) {
      expect(items.some((t) => t.skills.includes(skill))).toBe(true);
    }
    expect(items.some((t) => t.onCall)).toBe(true);
    const outages = await request(desk.app).get('/api/outages').set(bearer(COORDINATOR_TOKEN));
    expect(outages.body.items).toHaveLength(1);

    // A printed technician token works as that technician.
    const token = /token (\S+)/.exec(summary)?.[1] ?? '';
    expect((await request(desk.app).get('/api/tickets').set(bearer(token))).status).toBe(200);

    expect(await seedDemo(desk.services.store)).toMatch(/already there/);
    const again = await request(desk.app).get('/api/technicians').set(bearer(COORDINATOR_TOKEN));
    expect(again.body.items).toHaveLength(12);
  });
});

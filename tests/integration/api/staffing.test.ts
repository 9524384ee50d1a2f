import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulate } from '../../../src/commands/simulate.js';
import { parseScenario } from '../../../src/simulation/scenario.js';
import { agentsFor } from '../../../src/staffing/erlang-c.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);

beforeAll(async () => {
  desk = await createTestDesk({ HELPDESK_TIMEZONE: 'Europe/Paris' });
});
afterAll(async () => {
  await desk?.close();
});

interface Item {
  hourOfWeek: number;
  arrivalsPerHour: number;
  ahtSeconds: number;
  technicians: number;
}

async function open(subject: string): Promise<number> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, requester: { email: 'ana@example.com' } });
  expect(res.status).toBe(201);
  return res.body.number as number;
}

/** Moves a ticket into the past, as if it had been opened (and perhaps resolved) then. */
async function backdate(number: number, createdAt: string, handledSeconds?: number): Promise<void> {
  await desk.sequelize.query(
    `UPDATE tickets SET created_at = CAST($createdAt AS timestamptz),
            responded_at = CASE WHEN CAST($handled AS int) IS NULL THEN NULL ELSE CAST($createdAt AS timestamptz) END,
            resolved_at = CASE WHEN CAST($handled AS int) IS NULL THEN NULL ELSE CAST($createdAt AS timestamptz) + make_interval(secs => CAST($handled AS int)) END,
            status = CASE WHEN CAST($handled AS int) IS NULL THEN status ELSE 'resolved' END
      WHERE number = $number`,
    { bind: { number, createdAt, handled: handledSeconds ?? null }, type: QueryTypes.UPDATE },
  );
}

describe('GET /api/staffing', () => {
  it('sizes each hour of the week from the desk’s arrivals and resolved tickets’ handling time', async () => {
    // Monday 2 March 2026, 08:30 in Paris (UTC+1): hour of week 8; handled in 600 s each.
    for (let i = 0; i < 3; i++) await backdate(await open(`printer ${i}`), '2026-03-02T07:30:00Z', 600);
    const res = await request(desk.app).get('/api/staffing?from=2026-03-02&to=2026-03-08&target=80/20').set(auth);
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(items).toHaveLength(168);
    expect(items.map((i) => i.hourOfWeek)).toEqual([...Array(168).keys()]);
    const monday8 = items[8] as Item;
    expect(monday8).toEqual({
      hourOfWeek: 8,
      arrivalsPerHour: 3,
      ahtSeconds: 600,
      technicians: agentsFor({ arrivalsPerHour: 3, ahtSeconds: 600 }, { share: 0.8, seconds: 20 }).agents,
    });
    expect(monday8.technicians).toBeGreaterThan(0);
    expect(items.filter((i) => i.hourOfWeek !== 8).every((i) => i.arrivalsPerHour === 0 && i.technicians === 0)).toBe(true);
  });

  it('takes 1,800 s of handling when no ticket of the range was resolved, and reads hours in HELPDESK_TIMEZONE', async () => {
    // Tuesday 10 March 2026, 10:15 UTC = 11:15 in Paris: hour 24 + 11.
    for (let i = 0; i < 2; i++) await backdate(await open(`vpn ${i}`), '2026-03-10T10:15:00Z');
    const res = await request(desk.app).get('/api/staffing?from=2026-03-09&to=2026-03-15').set(auth);
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(items[35]).toMatchObject({ hourOfWeek: 35, arrivalsPerHour: 2, ahtSeconds: 1800 });
    expect(items[34]?.arrivalsPerHour).toBe(0);
  });

  it('defaults to the last four weeks: a ticket opened now counts as a quarter of an arrival per hour', async () => {
    await open('screen flickers');
    const res = await request(desk.app).get('/api/staffing').set(auth);
    expect(res.status).toBe(200);
    const total = (res.body.items as Item[]).reduce((sum, i) => sum + i.arrivalsPerHour, 0);
    expect(total).toBeCloseTo(0.25, 3);
  });

  it('refuses a bad target or range with a 400 naming it, and anyone but a coordinator', async () => {
    const bad = await request(desk.app).get('/api/staffing?target=120/20').set(auth);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('target');
    const backwards = await request(desk.app).get('/api/staffing?from=2026-03-10&to=2026-03-01').set(auth);
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('from');
    expect((await request(desk.app).get('/api/staffing?unknown=1').set(auth)).status).toBe(400);
    expect((await request(desk.app).get('/api/staffing')).status).toBe(401);
  });
});

describe('helpdesk simulate --from-desk', () => {
  it('builds the scenario from the desk’s last four weeks and prints the report as JSON alone', async () => {
    await request(desk.app)
      .post('/api/technicians')
      .set(auth)
      .send({ name: 'Ana', tier: 1, skills: ['printing', 'network'], maxLoad: 2, shift: 'mon-fri 08:00-18:00' })
      .expect(201);
    const opened = await request(desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'Printer jam', category: 'printing', impact: 'low', urgency: 'low', requester: { email: 'bo@example.com' } });
    expect(opened.status).toBe(201);
    // A rule of the desk's own, which the replay must use rather than the default.
    await request(desk.app).put('/api/rules/load-weights').set(auth).send({ P1: 16, P2: 4, P3: 2, P4: 1 }).expect(200);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'simulate-'));
    const saved = path.join(dir, 'desk.json');
    const env = { DATABASE_URL: process.env.DATABASE_URL, HELPDESK_TIMEZONE: process.env.HELPDESK_TIMEZONE };
    process.env.DATABASE_URL = desk.databaseUrl;
    process.env.HELPDESK_TIMEZONE = 'Europe/Paris';
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await simulate(['--from-desk', '--json', '--seed', '4', '--save', saved]);
    } finally {
      write.mockRestore();
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const report = JSON.parse(out) as { policy: string; seed: number; days: number; priorities: Record<string, { offered: number }> };
    expect(report).toMatchObject({ policy: 'engine', seed: 4, days: 28 });
    const scenario = parseScenario(JSON.parse(await readFile(saved, 'utf8')));
    await rm(dir, { recursive: true, force: true });
    expect(scenario.timezone).toBe('Europe/Paris');
    expect(scenario.technicians).toEqual([
      { name: 'Ana', tier: 1, skills: ['printing', 'network'], maxLoad: 2, shift: 'mon-fri 08:00-18:00' },
    ]);
    const printing = scenario.arrivals.find((a) => a.category === 'printing');
    expect(printing?.channel).toBe('web');
    // One ticket in four weeks: a quarter of an arrival per hour, in the hour of the week it came.
    expect(Array.isArray(printing?.perHour) && printing.perHour.reduce((a, b) => a + b, 0)).toBeCloseTo(0.25, 3);
    expect(scenario.categories?.find((c) => c.name === 'printing')?.skills).toEqual(['printing']);
    expect(scenario.rules?.loadWeights).toEqual({ P1: 16, P2: 4, P3: 2, P4: 1 });
    expect(scenario.rules?.slaTargets?.P1.responseMinutes).toBe(15);
  });
});

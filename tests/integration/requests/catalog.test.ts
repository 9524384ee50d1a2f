import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

// Issue #17: the service catalog, as a coordinator writing it and a technician reading it see it.

let desk: TestDesk;
const auth = bearer(COORDINATOR_TOKEN);
let asTech: Record<string, string>;

beforeAll(async () => {
  desk = await createTestDesk();
  const tech = await request(desk.app)
    .post('/api/technicians')
    .set(auth)
    .send({ name: 'Tom', phone: '+33600000101', tier: 1, skills: ['access'] });
  expect(tech.status, JSON.stringify(tech.body)).toBe(201);
  asTech = bearer(tech.body.token as string);
});
afterAll(async () => {
  await desk?.close();
});

const vpn = {
  id: 'vpn-access',
  name: 'VPN access',
  fields: [
    { name: 'reason', label: 'Reason', type: 'textarea', required: true },
    { name: 'profile', label: 'Profile', type: 'choice', required: false, options: ['staff', 'contractor'] },
  ],
  approvers: [{ name: 'Security desk', email: 'security@example.com' }, { phone: '+33600000102' }],
  approval: 'all',
  category: 'network',
};

describe('the seeded catalog', () => {
  it('offers an IT desk’s requests, in the contract’s shape, to technicians too', async () => {
    const res = await request(desk.app).get('/api/catalog').set(asTech);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(['app-access', 'departure', 'new-account', 'new-hardware', 'other']);
    expect(res.body.total).toBe(5);

    const access = await request(desk.app).get('/api/catalog/app-access').set(asTech);
    expect(access.status).toBe(200);
    expect(access.body).toMatchObject({
      id: 'app-access',
      approvers: [{ manager: true }],
      approval: 'any',
      category: 'access',
      active: true,
    });
    expect(access.body.fields.map((f: { name: string }) => f.name)).toEqual(['application', 'accessLevel', 'reason']);
    for (const f of access.body.fields) expect(Object.keys(f)).toEqual(expect.arrayContaining(['name', 'label', 'type', 'required']));

    // A departure removes every access: each task routed to the category that does it.
    const departure = (await request(desk.app).get('/api/catalog/departure').set(asTech)).body;
    expect(departure.tasks).toEqual([
      { title: 'Disable the account', category: 'accounts' },
      { title: 'Remove the application accesses', category: 'access' },
      { title: 'Recover the laptop', category: 'hardware' },
      { title: 'Deactivate the badge', category: 'security' },
    ]);
    const arrival = (await request(desk.app).get('/api/catalog/new-account').set(asTech)).body;
    expect(arrival.tasks.map((t: { category: string }) => t.category)).toEqual(['accounts', 'email', 'hardware', 'security']);
    // Nobody approves "anything else": the desk qualifies it, and any first-line technician may take it.
    const other = (await request(desk.app).get('/api/catalog/other').set(asTech)).body;
    expect(other).toMatchObject({ approvers: [], category: 'general' });
    const general = await request(desk.app).get('/api/categories/general').set(asTech);
    expect(general.status).toBe(200);
    expect(general.body.skills).toEqual([]);
  });

  it('is described in the API document', async () => {
    const openapi = await request(desk.app).get('/api/openapi.json');
    expect(Object.keys(openapi.body.paths['/api/catalog'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(openapi.body.paths['/api/catalog/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch']));
  });

  it('is written by coordinators only', async () => {
    expect(
      (
        await request(desk.app)
          .post('/api/catalog')
          .set(asTech)
          .send({ ...vpn, id: 'tech-made' })
      ).status,
    ).toBe(403);
    expect((await request(desk.app).patch('/api/catalog/other').set(asTech).send({ active: false })).status).toBe(403);
    expect((await request(desk.app).get('/api/catalog/other').set(auth)).body.active).toBe(true);
  });

  it('answers 404 for an item that does not exist, 400 for an id that cannot be one', async () => {
    const missing = await request(desk.app).get('/api/catalog/no-such-thing').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await request(desk.app).patch('/api/catalog/no-such-thing').set(auth).send({ name: 'x' })).status).toBe(404);
    expect((await request(desk.app).get('/api/catalog/Bad%20Id').set(auth)).status).toBe(400);
  });
});

describe('a coordinator’s item', () => {
  it('is created with its fields, approvers, rule and tasks, and read back as written', async () => {
    const created = await request(desk.app).post('/api/catalog').set(auth).send(vpn);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const expected = { ...vpn, description: null, tasks: [], active: true };
    expect(created.body).toEqual(expected);
    expect((await request(desk.app).get('/api/catalog/vpn-access').set(asTech)).body).toEqual(expected);

    const again = await request(desk.app)
      .post('/api/catalog')
      .set(auth)
      .send({ ...vpn, name: 'Another VPN' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await request(desk.app).get('/api/catalog/vpn-access').set(auth)).body.name).toBe('VPN access');
  });

  it('is refused 422 with a category the desk does not know, its own or a task’s, and nothing is written', async () => {
    const own = await request(desk.app)
      .post('/api/catalog')
      .set(auth)
      .send({ ...vpn, id: 'telephony-line', category: 'telephony' });
    expect(own.status).toBe(422);
    expect(own.body.error).toMatchObject({ code: 'UNPROCESSABLE', field: 'category' });
    const task = await request(desk.app)
      .post('/api/catalog')
      .set(auth)
      .send({ ...vpn, id: 'telephony-line', tasks: [{ title: 'Plug the phone', category: 'telephony' }] });
    expect(task.status).toBe(422);
    expect(task.body.error.field).toBe('tasks.0.category');
    expect((await request(desk.app).get('/api/catalog/telephony-line').set(auth)).status).toBe(404);

    const patched = await request(desk.app).patch('/api/catalog/app-access').set(auth).send({ category: 'telephony' });
    expect(patched.status).toBe(422);
    expect((await request(desk.app).get('/api/catalog/app-access').set(auth)).body.category).toBe('access');
  });

  it('is refused 400, naming the field, when its form or its approvers could not work', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ fields: [{ name: 'size', label: 'Size', type: 'choice', required: true }] }, /^fields\.0\.options: /],
      [{ fields: [{ name: 'size', label: 'Size', type: 'colour', required: true }] }, /^fields\.0\.type: /],
      [
        {
          fields: [
            { name: 'a', label: 'A', type: 'text', required: true },
            { name: 'a', label: 'B', type: 'text', required: false },
          ],
        },
        /^fields: two fields have the same name/,
      ],
      [{ approvers: [{ name: 'Nobody reachable' }] }, /^approvers\.0: /],
      [{ approvers: [{ phone: '0612345678' }] }, /^approvers\.0/],
      [{ approval: 'most' }, /^approval: /],
      [{ id: 'Has Spaces' }, /^id: /],
    ];
    for (const [change, message] of cases) {
      const res = await request(desk.app)
        .post('/api/catalog')
        .set(auth)
        .send({ ...vpn, id: 'broken', ...change });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message, JSON.stringify(change)).toMatch(message);
    }
    expect((await request(desk.app).get('/api/catalog/broken').set(auth)).status).toBe(404);
  });

  it('is changed in part, a list replaced whole, and retired from the active list', async () => {
    const before = (await request(desk.app).get('/api/catalog/new-hardware').set(auth)).body;
    const patched = await request(desk.app)
      .patch('/api/catalog/new-hardware')
      .set(auth)
      .send({ approvers: [{ manager: true }, { email: 'purchasing@example.com' }], approval: 'all' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toEqual({
      ...before,
      approvers: [{ manager: true }, { email: 'purchasing@example.com' }],
      approval: 'all',
    });

    const retired = await request(desk.app).patch('/api/catalog/new-hardware').set(auth).send({ active: false, description: null });
    expect(retired.body).toMatchObject({ active: false, description: null, approval: 'all' });
    const active = await request(desk.app).get('/api/catalog?active=true').set(asTech);
    expect(active.body.items.map((i: { id: string }) => i.id)).not.toContain('new-hardware');
    const all = await request(desk.app).get('/api/catalog').set(asTech);
    expect(all.body.items.map((i: { id: string }) => i.id)).toContain('new-hardware');
    // Retired: nobody may ask for it any more.
    const asked = await request(desk.app)
      .post('/api/requests')
      .set(auth)
      .send({ item: 'new-hardware', requester: { email: 'ines@example.com' }, fields: { hardware: 'A screen', reason: 'Eyes' } });
    expect(asked.status).toBe(422);
    expect(asked.body.error.field).toBe('item');
  });
});

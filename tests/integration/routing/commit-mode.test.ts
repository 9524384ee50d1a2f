import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequelize } from '../../../src/store/db.js';
import { defineModels } from '../../../src/store/models/index.js';
import { createRoutingRepository, type CommitMode } from '../../../src/store/routing-repository.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

/**
 * A transaction that only routes commits without waiting for the disk; one that carries a
 * person's action keeps the durable default, and the relaxed setting never outlives its
 * transaction on a pooled connection (the next API call on it must be durable again).
 */
let desk: TestDesk;
// A pool of its own, so that the routing repository runs on a transaction this test also queries in.
let sequelize: Sequelize;

beforeAll(async () => {
  desk = await createTestDesk();
  sequelize = createSequelize({ url: desk.databaseUrl, poolMax: 4 });
});
afterAll(async () => {
  await sequelize?.close();
  await desk?.close();
});

describe('routing commit mode', () => {
  it('relaxes only the routing transaction, and only until it ends', async () => {
    const opened = await request(desk.app)
      .post('/api/tickets')
      .set(bearer(COORDINATOR_TOKEN))
      .send({ subject: 'Printer jam', description: 'Paper stuck.', requester: { name: 'Zoé', email: 'zoe@client.example' } });
    expect(opened.status).toBe(201);
    const models = defineModels(sequelize);
    const settingIn = (commit: CommitMode) =>
      sequelize.transaction(async (tx) => {
        const waiting = await createRoutingRepository({ sequelize, models, tx }).lockWaiting(opened.body.id as string, commit);
        expect(waiting.state?.id).toBe(opened.body.id);
        const [row] = await sequelize.query<{ synchronous_commit: string }>('SHOW synchronous_commit', {
          type: QueryTypes.SELECT,
          transaction: tx,
        });
        return row?.synchronous_commit;
      });

    expect(await settingIn('relaxed')).toBe('off');
    expect(await settingIn('durable')).toBe('on');
    // The pool hands out the same few connections: every one of them is durable again.
    const after = await Promise.all(
      Array.from({ length: 4 }, () =>
        sequelize.query<{ synchronous_commit: string }>('SHOW synchronous_commit', { type: QueryTypes.SELECT }),
      ),
    );
    expect(after.map(([row]) => row?.synchronous_commit)).toEqual(['on', 'on', 'on', 'on']);
  });
});

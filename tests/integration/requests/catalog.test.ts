import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk.close();
});

describe('the seeded catalog', () => {
  it('holds the IT desk’s request types, each fulfilled by a category that exists', async () => {
    const items = await desk.services.store.catalog.list();
    expect(items.map((i) => i.id)).toEqual(['app-access', 'departure', 'new-account', 'new-hardware', 'other']);
    const departure = await desk.services.store.catalog.get('departure');
    expect(departure?.tasks.map((t) => t.category)).toEqual(['accounts', 'access', 'hardware', 'security']);
    expect(departure?.approvers).toEqual([{ manager: true }]);
    expect((await desk.services.store.catalog.get('other'))?.approvers).toEqual([]);
    for (const item of items) expect(await desk.services.store.categories.exists(item.category)).toBe(true);
  });
});

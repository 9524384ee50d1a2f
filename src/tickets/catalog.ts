import { AppError } from '../errors.js';
import { isUniqueViolation } from '../store/conflict.js';
import type { Store } from '../store/index.js';
import type { CatalogItem, CatalogItemInput, CatalogItemPatch } from '../store/catalog-repository.js';

/**
 * The service catalog (issue #17): coordinators write it, technicians read it, requests are opened
 * from it (tickets/requests.ts). An item's category and each of its tasks' must be one the desk
 * knows: a request is routed to them once approved, and a category nobody can route to would
 * leave it waiting for ever.
 */

async function assertCategories(store: Store, item: Pick<CatalogItemPatch, 'category' | 'tasks'>): Promise<void> {
  const named = [
    ...(item.category === undefined ? [] : [{ category: item.category, field: 'category' }]),
    ...(item.tasks ?? []).map((task, i) => ({ category: task.category, field: `tasks.${i}.category` })),
  ];
  for (const { category, field } of named) {
    if (!(await store.categories.exists(category))) {
      throw new AppError('UNPROCESSABLE', `${field}: unknown category "${category}"`, { field });
    }
  }
}

function found(item: CatalogItem | null, id: string): CatalogItem {
  if (!item) throw new AppError('NOT_FOUND', `no catalog item "${id}"`);
  return item;
}

export async function listCatalog(
  store: Store,
  filter: { active?: boolean | undefined },
): Promise<{ items: CatalogItem[]; total: number }> {
  const items = (await store.catalog.list()).filter((item) => filter.active === undefined || item.active === filter.active);
  return { items, total: items.length };
}

export async function getCatalogItem(store: Store, id: string): Promise<CatalogItem> {
  return found(await store.catalog.get(id), id);
}

export async function createCatalogItem(store: Store, input: CatalogItemInput): Promise<CatalogItem> {
  await assertCategories(store, input);
  try {
    return await store.catalog.create(input);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `catalog item "${input.id}" exists already`, { field: 'id' });
    throw err;
  }
}

export async function updateCatalogItem(store: Store, id: string, patch: CatalogItemPatch): Promise<CatalogItem> {
  await assertCategories(store, patch);
  return found(await store.catalog.update(id, patch), id);
}

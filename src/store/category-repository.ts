import type { Tier } from '../domain/values.js';
import { run, type Db } from './handle.js';

export function createCategoryRepository(db: Db) {
  const { Category } = db.models;
  return {
    /** Whether tickets may name this category (the table is editable, so this is asked, not assumed). */
    async exists(name: string): Promise<boolean> {
      return (await Category.count({ where: { name }, transaction: db.tx })) > 0;
    },

    /** The tier a category's tickets start at (the demo desk sends security past the first line). */
    async setStartingTier(name: string, tier: Tier): Promise<void> {
      await run(db, 'UPDATE categories SET starting_tier = $tier WHERE name = $name', { name, tier });
    },
  };
}

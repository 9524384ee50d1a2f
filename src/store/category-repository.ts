import type { Transaction } from 'sequelize';
import type { Models } from './models/index.js';

export function createCategoryRepository(models: Models) {
  const { Category } = models;
  return {
    /** Whether tickets may name this category (the table is editable, so this is asked, not assumed). */
    async exists(name: string, tx?: Transaction): Promise<boolean> {
      return (await Category.count({ where: { name }, transaction: tx })) > 0;
    },
  };
}

export type CategoryRepository = ReturnType<typeof createCategoryRepository>;

import { DEFAULT_CATEGORIES } from '../../domain/values.js';
import type { MigrationContext } from './types.js';

/** The contract's categories, each needing the skill of the same name, seeded once; editable after. */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  const skills = DEFAULT_CATEGORIES.map((name) => `('${name}')`).join(', ');
  const categories = DEFAULT_CATEGORIES.map((name) => `('${name}', ARRAY['${name}'])`).join(', ');
  await sql(`
    INSERT INTO skills (name) VALUES ${skills} ON CONFLICT DO NOTHING;
    INSERT INTO categories (name, required_skills) VALUES ${categories} ON CONFLICT DO NOTHING;
  `);
}

export async function down(): Promise<void> {}

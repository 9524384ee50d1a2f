import type { MigrationContext } from './types.js';

// Frozen once applied: the contract's categories as they were then, not imported from domain/.
const CATEGORIES = ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'] as const;

/** The contract's categories, each needing the skill of the same name, seeded once; editable after. */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  const skills = CATEGORIES.map((name) => `('${name}')`).join(', ');
  const categories = CATEGORIES.map((name) => `('${name}', ARRAY['${name}'])`).join(', ');
  await sql(`
    INSERT INTO skills (name) VALUES ${skills} ON CONFLICT DO NOTHING;
    INSERT INTO categories (name, required_skills) VALUES ${categories} ON CONFLICT DO NOTHING;
  `);
}

export async function down(): Promise<void> {}

import { QueryTypes, type Sequelize } from 'sequelize';
import type { Tier } from '../domain/values.js';
import { jsonb } from './jsonb.js';
import type { CategoryDefinition } from '../rules/categorize.js';

/**
 * The stored rules: `settings` rows (one JSON value per rule name) and the `categories` table.
 * Plain objects in and out; validation belongs to rules-schemas.ts and the book that reads them.
 */
export interface StoredCategory extends CategoryDefinition {
  updatedAt: string;
}

interface CategoryRecord {
  name: string;
  required_skills: string[];
  starting_tier: number;
  keywords: string[];
  updated_at: Date;
}

const toCategory = (r: CategoryRecord): StoredCategory => ({
  name: r.name,
  skills: r.required_skills,
  startTier: r.starting_tier as Tier,
  keywords: r.keywords,
  updatedAt: r.updated_at.toISOString(),
});

const JSON_TEXT_ARRAY = (param: string) => `ARRAY(SELECT jsonb_array_elements_text(CAST(${param} AS jsonb)))::text[]`;

export function createRulesRepository(sequelize: Sequelize) {
  return {
    async settings(): Promise<Map<string, unknown>> {
      const rows = await sequelize.query<{ key: string; value: unknown }>('SELECT key, value FROM settings', {
        type: QueryTypes.SELECT,
      });
      return new Map(rows.map((r) => [r.key, r.value]));
    },

    async setting(key: string): Promise<unknown> {
      const [row] = await sequelize.query<{ value: unknown }>('SELECT value FROM settings WHERE key = :key', {
        replacements: { key },
        type: QueryTypes.SELECT,
      });
      return row?.value;
    },

    async putSetting(key: string, value: unknown): Promise<void> {
      await sequelize.query(
        `INSERT INTO settings (key, value, updated_at) VALUES (:key, CAST(:value AS jsonb), now())
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        { replacements: { key, value: jsonb(value) } },
      );
    },

    /** In table order by name, so that keyword ties break the same way in every process. */
    async categories(): Promise<StoredCategory[]> {
      const rows = await sequelize.query<CategoryRecord>(
        'SELECT name, required_skills, starting_tier, keywords, updated_at FROM categories ORDER BY name',
        { type: QueryTypes.SELECT },
      );
      return rows.map(toCategory);
    },

    async category(name: string): Promise<StoredCategory | null> {
      const [row] = await sequelize.query<CategoryRecord>(
        'SELECT name, required_skills, starting_tier, keywords, updated_at FROM categories WHERE name = :name',
        { replacements: { name }, type: QueryTypes.SELECT },
      );
      return row ? toCategory(row) : null;
    },

    /** Creates or replaces a category; its skills join the skill list so that technicians can hold them. */
    async putCategory(c: CategoryDefinition): Promise<{ created: boolean; category: StoredCategory }> {
      return sequelize.transaction(async (transaction) => {
        // Lists travel as JSON: Sequelize expands an array replacement into a comma list, and an
        // empty one would leave `ARRAY[]`, which Postgres cannot type.
        const [rows] = (await sequelize.query(
          `INSERT INTO categories (name, required_skills, starting_tier, keywords, updated_at)
             VALUES (:name, ${JSON_TEXT_ARRAY(':skills')}, :tier, ${JSON_TEXT_ARRAY(':keywords')}, now())
           ON CONFLICT (name) DO UPDATE SET required_skills = EXCLUDED.required_skills,
             starting_tier = EXCLUDED.starting_tier, keywords = EXCLUDED.keywords, updated_at = now()
           RETURNING name, required_skills, starting_tier, keywords, updated_at, (xmax = 0) AS created`,
          {
            replacements: { name: c.name, skills: jsonb(c.skills), tier: c.startTier, keywords: jsonb(c.keywords) },
            transaction,
          },
        )) as [(CategoryRecord & { created: boolean })[], unknown];
        await sequelize.query(`INSERT INTO skills (name) SELECT jsonb_array_elements_text(CAST(:skills AS jsonb)) ON CONFLICT DO NOTHING`, {
          replacements: { skills: jsonb(c.skills) },
          transaction,
        });
        const row = rows[0];
        if (!row) throw new Error('upsert returned no row');
        return { created: row.created, category: toCategory(row) };
      });
    },
  };
}

export type RulesRepository = ReturnType<typeof createRulesRepository>;

import type { Tier } from '../domain/values.js';
import { rows, run, type Db } from './handle.js';
import { jsonb } from './jsonb.js';
import { inTransaction } from './own-transaction.js';

/**
 * The stored rules: `settings` rows (one JSON value per rule name) and the `categories` table, as
 * they are stored. Plain objects in and out; validation and the defaults of what is not stored
 * belong to the rules book that reads them (rules/rules-book.ts), above the store.
 */
export interface CategoryRecordInput {
  name: string;
  skills: string[];
  startTier: Tier;
  keywords: string[];
}

export interface StoredCategory extends CategoryRecordInput {
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

export function createRulesRepository(db: Db) {
  return {
    async settings(): Promise<Map<string, unknown>> {
      const stored = await rows<{ key: string; value: unknown }>(db, 'SELECT key, value FROM settings');
      return new Map(stored.map((r) => [r.key, r.value]));
    },

    async setting(key: string): Promise<unknown> {
      const [row] = await rows<{ value: unknown }>(db, 'SELECT value FROM settings WHERE key = $key', { key });
      return row?.value;
    },

    async putSetting(key: string, value: unknown): Promise<void> {
      await run(
        db,
        `INSERT INTO settings (key, value, updated_at) VALUES ($key, CAST($value AS jsonb), now())
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        { key, value: jsonb(value) },
      );
    },

    /** In table order by name, so that keyword ties break the same way in every process. */
    async categories(): Promise<StoredCategory[]> {
      const stored = await rows<CategoryRecord>(
        db,
        'SELECT name, required_skills, starting_tier, keywords, updated_at FROM categories ORDER BY name',
      );
      return stored.map(toCategory);
    },

    async category(name: string): Promise<StoredCategory | null> {
      const [row] = await rows<CategoryRecord>(
        db,
        'SELECT name, required_skills, starting_tier, keywords, updated_at FROM categories WHERE name = $name',
        { name },
      );
      return row ? toCategory(row) : null;
    },

    /** Creates or replaces a category; its skills join the skill list so that technicians can hold them. */
    async putCategory(c: CategoryRecordInput): Promise<{ created: boolean; category: StoredCategory }> {
      return inTransaction(db, async (tx) => {
        // Lists travel as JSON: an empty array parameter would leave Postgres nothing to type it by.
        const [row] = await rows<CategoryRecord & { created: boolean }>(
          tx,
          `INSERT INTO categories (name, required_skills, starting_tier, keywords, updated_at)
             VALUES ($name, ${JSON_TEXT_ARRAY('$skills')}, $tier, ${JSON_TEXT_ARRAY('$keywords')}, now())
           ON CONFLICT (name) DO UPDATE SET required_skills = EXCLUDED.required_skills,
             starting_tier = EXCLUDED.starting_tier, keywords = EXCLUDED.keywords, updated_at = now()
           RETURNING name, required_skills, starting_tier, keywords, updated_at, (xmax = 0) AS created`,
          { name: c.name, skills: jsonb(c.skills), tier: c.startTier, keywords: jsonb(c.keywords) },
        );
        await run(tx, `INSERT INTO skills (name) SELECT jsonb_array_elements_text(CAST($skills AS jsonb)) ON CONFLICT DO NOTHING`, {
          skills: jsonb(c.skills),
        });
        if (!row) throw new Error('upsert returned no row');
        return { created: row.created, category: toCategory(row) };
      });
    },
  };
}

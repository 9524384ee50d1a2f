import { DEFAULT_CATEGORY_TABLE } from '../../rules/categorize.js';
import { RULES } from '../../rules/rules-schemas.js';
import type { MigrationContext } from './types.js';

/** Postgres string literal: doubles single quotes; our defaults contain `d'urgent` and the like. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const textArray = (items: readonly string[]) => `ARRAY[${items.map(literal).join(', ')}]::text[]`;

/**
 * Routing rules as data. Categories get their keywords (so that categorisation is editable too) and
 * an updated_at; the other rules are seeded into `settings` once and never overwritten afterwards.
 * Indexes serve the timer planner (offers waiting for an answer) and the routing history lookups.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  const keywordUpdates = DEFAULT_CATEGORY_TABLE.map(
    (c) =>
      `UPDATE categories SET keywords = ${textArray(c.keywords)}, starting_tier = ${c.startTier}
         WHERE name = ${literal(c.name)} AND keywords = '{}';`,
  ).join('\n');
  const settings = Object.entries(RULES)
    .map(([key, rule]) => `(${literal(key)}, ${literal(JSON.stringify(rule.default))}::jsonb)`)
    .join(', ');
  await sql(`
    ALTER TABLE categories
      ADD COLUMN IF NOT EXISTS keywords text[] NOT NULL DEFAULT '{}',
      ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
    ${keywordUpdates}
    INSERT INTO settings (key, value) VALUES ${settings} ON CONFLICT (key) DO NOTHING;

    -- the timer planner: offers still waiting for ACCEPT.
    CREATE INDEX IF NOT EXISTS tickets_offered_idx ON tickets (offered_at) WHERE status = 'assigned';
    -- routing history of one ticket (declines, timeouts, queue entries) by type.
    CREATE INDEX IF NOT EXISTS ticket_events_routing_idx ON ticket_events (ticket_id, type);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS ticket_events_routing_idx;
    DROP INDEX IF EXISTS tickets_offered_idx;
    DELETE FROM settings WHERE key IN (${Object.keys(RULES).map(literal).join(', ')});
    ALTER TABLE categories DROP COLUMN IF EXISTS keywords, DROP COLUMN IF EXISTS updated_at;
  `);
}

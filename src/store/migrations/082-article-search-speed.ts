import type { MigrationContext } from './types.js';

/**
 * The article search within its budget (bench/articles.ts: 20,000 articles, p99 ≤ 20 ms):
 * - the title's plain form (lower case, accents off) stored once per article, instead of unaccent
 *   run again on every candidate row by the trigram recheck, the filter and the ranking; its
 *   trigram index replaces 080's expression index;
 * - the GIN indexes without their pending list (fastupdate off): a knowledge base is written rarely
 *   and read at every search and every new ticket, and a search that must also scan the pending
 *   list of recent inserts took several times longer until the next vacuum.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE articles ADD COLUMN title_plain text GENERATED ALWAYS AS (lower(immutable_unaccent(title))) STORED;
    ALTER INDEX articles_search_fr_idx SET (fastupdate = off);
    ALTER INDEX articles_search_en_idx SET (fastupdate = off);
    DROP INDEX IF EXISTS articles_title_trgm_idx;
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX articles_title_plain_idx ON articles USING gin (title_plain gin_trgm_ops) WITH (fastupdate = off)';
      END IF;
    END $$;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS articles_title_plain_idx;
    ALTER TABLE articles DROP COLUMN title_plain;
    ALTER INDEX articles_search_fr_idx RESET (fastupdate);
    ALTER INDEX articles_search_en_idx RESET (fastupdate);
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX articles_title_trgm_idx ON articles USING gin (lower(immutable_unaccent(title)) gin_trgm_ops)';
      END IF;
    END $$;
  `);
}

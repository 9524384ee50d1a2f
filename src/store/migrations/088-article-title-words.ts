import type { MigrationContext } from './types.js';

/**
 * The words of the articles' titles (lower case, accents off, three letters or more), each once,
 * with how many articles' titles hold it: the dictionary a search corrects a query's unknown words
 * against (store/article-repository.ts). A typo used to be forgiven by a trigram similarity between
 * the whole query and every candidate title, ~625 of them per query over 20,000 articles (13-22 ms);
 * correcting each unknown word against this small table through its trigram index picks a handful
 * of candidate words, and the corrected query then runs through the full-text indexes like any other.
 *
 * Kept in step by statement-level triggers with transition tables, not by the repository: every
 * write of articles keeps it (the repository's, a bulk import, a fix by hand in psql), in the same
 * transaction, and a statement writing 20,000 articles costs one grouped upsert, not 20,000. A
 * column list (UPDATE OF title) is refused with transition tables, so any update compares its rows'
 * old and new title words and writes only the difference (none when the title did not change). A
 * word no title holds any more is deleted. Words are upserted in their order, so two writers lock the
 * words they share in the same order.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE FUNCTION title_words(text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
      SELECT DISTINCT w FROM regexp_split_to_table(lower(immutable_unaccent($1)), '[^[:alnum:]]+') AS w WHERE length(w) >= 3
    $$;

    CREATE TABLE article_title_words (
      word text PRIMARY KEY,
      articles int NOT NULL CHECK (articles >= 0)
    );

    INSERT INTO article_title_words (word, articles)
    SELECT w, count(*) FROM articles a, title_words(a.title) AS w GROUP BY w;

    CREATE FUNCTION article_title_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      words text[];
      counts int[];
    BEGIN
      -- Each branch names only its own transition tables (plpgsql plans a statement when it first
      -- runs it): new_rows exists for INSERT and UPDATE, old_rows for UPDATE and DELETE.
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, counts
          FROM (SELECT w, count(*)::int AS n FROM new_rows r, title_words(r.title) AS w GROUP BY w) AS d;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, counts
          FROM (SELECT w, -count(*)::int AS n FROM old_rows r, title_words(r.title) AS w GROUP BY w) AS d;
      ELSE
        SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, counts
          FROM (SELECT w, sum(n)::int AS n
                  FROM (SELECT w, 1 AS n FROM new_rows r, title_words(r.title) AS w
                        UNION ALL
                        SELECT w, -1 FROM old_rows r, title_words(r.title) AS w) AS each_word
                 GROUP BY w HAVING sum(n) <> 0) AS d;
      END IF;
      IF words IS NULL THEN
        RETURN NULL;
      END IF;
      INSERT INTO article_title_words AS t (word, articles)
      SELECT w, n FROM unnest(words, counts) AS d(w, n) WHERE n > 0 ORDER BY w
      ON CONFLICT (word) DO UPDATE SET articles = t.articles + excluded.articles;
      -- Decremented first, then deleted at zero: two writers taking away the last two titles of a
      -- word each see the other's decrement (the second UPDATE waits for the first and re-reads the
      -- row), where a DELETE decided on the count seen before waiting would miss it.
      UPDATE article_title_words t SET articles = t.articles + d.n FROM unnest(words, counts) AS d(w, n)
       WHERE d.n < 0 AND t.word = d.w;
      DELETE FROM article_title_words t USING unnest(words, counts) AS d(w, n)
       WHERE d.n < 0 AND t.word = d.w AND t.articles = 0;
      RETURN NULL;
    END $$;

    CREATE TRIGGER articles_title_words_insert AFTER INSERT ON articles
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION article_title_words_sync();
    CREATE TRIGGER articles_title_words_update AFTER UPDATE ON articles
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION article_title_words_sync();
    CREATE TRIGGER articles_title_words_delete AFTER DELETE ON articles
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION article_title_words_sync();

    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX article_title_words_trgm_idx ON article_title_words USING gin (word gin_trgm_ops)';
      END IF;
    END $$;

    -- 082's plain title and its trigram index served only the similarity this dictionary replaces.
    DROP INDEX IF EXISTS articles_title_plain_idx;
    ALTER TABLE articles DROP COLUMN title_plain;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE articles ADD COLUMN title_plain text GENERATED ALWAYS AS (lower(immutable_unaccent(title))) STORED;
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX articles_title_plain_idx ON articles USING gin (title_plain gin_trgm_ops) WITH (fastupdate = off)';
      END IF;
    END $$;
    DROP TRIGGER articles_title_words_insert ON articles;
    DROP TRIGGER articles_title_words_update ON articles;
    DROP TRIGGER articles_title_words_delete ON articles;
    DROP FUNCTION article_title_words_sync();
    DROP TABLE article_title_words;
    DROP FUNCTION title_words(text);
  `);
}

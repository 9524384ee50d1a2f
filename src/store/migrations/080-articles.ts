import type { MigrationContext } from './types.js';

/**
 * The knowledge base's articles, searched in Postgres alone (issue #16).
 *
 * Each article carries two stored tsvectors, one per text-search configuration (french, english),
 * whatever its own language: a French reader typing an English product name still finds it, and a
 * query is run in both configurations. Weights: title A, tags B, body C. Accents are taken off
 * before stemming by `immutable_unaccent`: `unaccent(text)` is only STABLE (it reads its
 * dictionary through search_path), which an index or a generated column refuses; naming the
 * dictionary and the function by schema makes the result depend on its argument alone, so it may
 * be declared IMMUTABLE (the documented way to index it). Where the unaccent extension cannot be
 * created, the same function returns its argument: search still works, accents then count.
 *
 * Titles also carry a trigram index (pg_trgm, created by migration 063 where it can be) so that a
 * typo in a title still finds it (`<%`, word similarity); without pg_trgm the search skips that part.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DO $$
    BEGIN
      CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
      RAISE NOTICE 'unaccent could not be created: the articles are searched with their accents';
    END $$;
    DO $$
    DECLARE
      home text := (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent');
    BEGIN
      IF home IS NOT NULL THEN
        EXECUTE format($f$CREATE FUNCTION immutable_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                   AS $body$ SELECT %I.unaccent(%L::regdictionary, $1) $body$ $f$, home, home || '.unaccent');
      ELSE
        CREATE FUNCTION immutable_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS 'SELECT $1';
      END IF;
    END $$;

    -- A ticket's words as a query that any of them satisfies (websearch_to_tsquery wants them all,
    -- which a whole email never does): its lexemes in that configuration, joined by |. A lexeme
    -- with a backslash is left out (quote_literal would write it as E'…', which tsquery cannot read).
    CREATE FUNCTION any_words_query(regconfig, text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
      SELECT coalesce(string_agg(quote_literal(l), ' | '), '')::tsquery
        FROM unnest(tsvector_to_array(to_tsvector($1, immutable_unaccent($2)))) AS l
       WHERE position(E'\\\\' IN l) = 0
    $$;

    CREATE TABLE articles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title text NOT NULL,
      body text NOT NULL,
      language text NOT NULL CHECK (language IN ('fr', 'en')),
      tags text[] NOT NULL DEFAULT '{}',
      category text REFERENCES categories(name),
      published boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      search_fr tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('french'::regconfig, immutable_unaccent(title)), 'A') ||
        setweight(to_tsvector('french'::regconfig, immutable_unaccent(joined_words(tags))), 'B') ||
        setweight(to_tsvector('french'::regconfig, immutable_unaccent(body)), 'C')) STORED,
      search_en tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, immutable_unaccent(title)), 'A') ||
        setweight(to_tsvector('english'::regconfig, immutable_unaccent(joined_words(tags))), 'B') ||
        setweight(to_tsvector('english'::regconfig, immutable_unaccent(body)), 'C')) STORED
    );
    CREATE INDEX articles_search_fr_idx ON articles USING gin (search_fr);
    CREATE INDEX articles_search_en_idx ON articles USING gin (search_en);
    CREATE INDEX articles_published_idx ON articles (language) WHERE published;

    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX articles_title_trgm_idx ON articles USING gin (lower(immutable_unaccent(title)) gin_trgm_ops)';
      END IF;
    END $$;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE articles;
    DROP FUNCTION any_words_query(regconfig, text);
    DROP FUNCTION immutable_unaccent(text);
  `);
}

import type { Language } from '../domain/values.js';
import { rows, type Db } from './handle.js';

/**
 * The knowledge base's articles (migration 080) and their search, in Postgres alone: the query in
 * both text-search configurations (websearch_to_tsquery: quotes, `or`, `-word` as people type
 * them), accents off on both sides, and the typos stemming cannot forgive corrected against the
 * titles' words (migration 088). Best first: the weighted rank in the article's own language's
 * configuration (or the one that found it), tier by tier (see `search`).
 */

export interface Article {
  id: string;
  title: string;
  body: string;
  language: Language;
  tags: string[];
  category: string | null;
  published: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ArticleInput {
  title: string;
  body: string;
  language: Language;
  tags: string[];
  category: string | null;
  published: boolean;
}

export interface ArticlePage {
  items: Article[];
  total: number;
}

const COLUMNS = `a.id, a.title, a.body, a.language, a.tags, a.category, a.published,
  to_json(a.created_at) #>> '{}' AS "createdAt", to_json(a.updated_at) #>> '{}' AS "updatedAt"`;

/** pg_trgm present? Asked once per database (migration 063 creates it where it can). */
const trigrams = new WeakMap<object, Promise<boolean>>();

function hasTrigrams(db: Db): Promise<boolean> {
  let known = trigrams.get(db.sequelize);
  if (!known) {
    known = rows<{ present: boolean }>(db, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS present`).then(
      ([row]) => row?.present === true,
    );
    trigrams.set(db.sequelize, known);
  }
  return known;
}

/** Its rank in the article's own language's configuration, or in the one that found it (`t`: fr, en). */
const RANK = (t: string) => `CASE WHEN a.language = 'fr' AND a.search_fr @@ ${t}.fr OR a.language = 'en' AND NOT a.search_en @@ ${t}.en
  THEN ts_rank(a.search_fr, ${t}.fr) ELSE ts_rank(a.search_en, ${t}.en) END`;

/**
 * Each unknown word of the query replaced by the most similar word of the titles (migration 088's
 * dictionary, through its trigram index): three letters or more, in no title, not a stop word (a stop
 * word is dropped by both configurations anyway). The query is split into words and what lies
 * between them (spaces, quotes, the minus of `-word`), so that websearch_to_tsquery reads the same
 * syntax again.
 */
const CORRECTION = `LEFT JOIN LATERAL (
    SELECT w.word FROM article_title_words w
     WHERE length(part.token) >= 3 AND part.token ~ '^[[:alnum:]]+$'
       AND NOT EXISTS (SELECT 1 FROM article_title_words known WHERE known.word = part.token)
       AND numnode(plainto_tsquery('french', part.token)) > 0
       AND numnode(plainto_tsquery('english', part.token)) > 0
       AND w.word % part.token
     ORDER BY similarity(w.word, part.token) DESC, w.word
     LIMIT 1) AS fix ON true`;
const NO_CORRECTION = `LEFT JOIN (SELECT NULL::text AS word) AS fix ON false`;

/** A page's worth, the number of matches below which the next tier is looked for. */
const SHORT = `CAST($limit AS int) + CAST($offset AS int)`;

type Counted = Article & { total: string };

const page = (found: Counted[]): ArticlePage => ({
  items: found.map(({ total: _total, ...article }) => article),
  total: Number(found[0]?.total ?? 0),
});

export function createArticleRepository(db: Db) {
  return {
    async create(input: ArticleInput): Promise<Article> {
      const [row] = await rows<Article>(
        db,
        `INSERT INTO articles AS a (title, body, language, tags, category, published)
         VALUES ($title, $body, $language, CAST($tags AS text[]), $category, $published)
         RETURNING ${COLUMNS}`,
        { ...input, tags: input.tags },
      );
      if (!row) throw new Error('the new article was not returned');
      return row;
    },

    async get(id: string): Promise<Article | null> {
      const [row] = await rows<Article>(db, `SELECT ${COLUMNS} FROM articles a WHERE a.id = $id`, { id });
      return row ?? null;
    },

    /** Changes the fields given; null when there is no such article. */
    async update(id: string, patch: Partial<ArticleInput>): Promise<Article | null> {
      const [row] = await rows<Article>(
        db,
        `UPDATE articles AS a SET
           title = COALESCE($title, a.title),
           body = COALESCE($body, a.body),
           language = COALESCE($language, a.language),
           tags = COALESCE(CAST($tags AS text[]), a.tags),
           category = CASE WHEN $setCategory THEN $category ELSE a.category END,
           published = COALESCE(CAST($published AS boolean), a.published),
           updated_at = now()
         WHERE a.id = $id
         RETURNING ${COLUMNS}`,
        {
          id,
          title: patch.title ?? null,
          body: patch.body ?? null,
          language: patch.language ?? null,
          tags: patch.tags ?? null,
          setCategory: patch.category !== undefined,
          category: patch.category ?? null,
          published: patch.published ?? null,
        },
      );
      return row ?? null;
    },

    async remove(id: string): Promise<boolean> {
      const gone = await rows<{ id: string }>(db, `DELETE FROM articles WHERE id = $id RETURNING id`, { id });
      return gone.length === 1;
    },

    /** Every article, drafts too, the last changed first. */
    async list(range: { limit: number; offset: number }): Promise<ArticlePage> {
      return page(
        await rows<Counted>(
          db,
          `SELECT ${COLUMNS}, count(*) OVER () AS total FROM articles a ORDER BY a.updated_at DESC, a.id LIMIT $limit OFFSET $offset`,
          range,
        ),
      );
    },

    /**
     * The articles that match `q`, drafts too, best first, in tiers each looked for only when the ones
     * before found fewer than a page:
     * 0. the words as typed, in both configurations;
     * 1. the query with its unknown words corrected against the titles' words (pg_trgm: without it,
     *    no correction): a typo in a title still finds it. Correcting a handful of distinct words
     *    replaced a similarity computed for every candidate title (~625 over 20,000 articles, 13-22 ms);
     * 2. for a query of plain words (2 to 6, no quotes, `or` or `-word`), every word but one (any
     *    one): "printer offline hp" still lists the printers offline when no HP one exists.
     * Each tier runs through the full-text indexes and is ranked after the tiers before it.
     */
    async search(q: string, range: { limit: number; offset: number }): Promise<ArticlePage> {
      const typos = await hasTrigrams(db);
      return page(
        await rows<Counted>(
          db,
          `WITH q AS MATERIALIZED (
             SELECT websearch_to_tsquery('french', immutable_unaccent($q)) AS fr,
                    websearch_to_tsquery('english', immutable_unaccent($q)) AS en
           ), words AS MATERIALIZED (
             -- Ranked in the article's own language (one ts_rank per row, not two); found only through the
             -- other configuration's stems, in that one.
             SELECT a.id, 0 AS tier, ${RANK('q')} AS score
               FROM articles a, q
              WHERE a.search_fr @@ q.fr OR a.search_en @@ q.en
           ), fixed AS MATERIALIZED (
             SELECT string_agg(coalesce(fix.word, part.token), '' ORDER BY part.n) AS text, count(fix.word) > 0 AS changed
               FROM regexp_matches(lower(immutable_unaccent($q)), '[[:alnum:]]+|[^[:alnum:]]+', 'g') WITH ORDINALITY AS m(token, n),
                    LATERAL (SELECT m.token[1] AS token, m.n) AS part
               ${typos ? CORRECTION : NO_CORRECTION}
              WHERE (SELECT count(*) FROM words) < ${SHORT}
           ), fixed_q AS MATERIALIZED (
             -- Materialized, as q: the query parsed once, not once per candidate row.
             SELECT websearch_to_tsquery('french', text) AS fr, websearch_to_tsquery('english', text) AS en FROM fixed WHERE changed
           ), corrected AS MATERIALIZED (
             SELECT a.id, 1 AS tier, ${RANK('f')} AS score
               FROM articles a, fixed_q f
              WHERE (a.search_fr @@ f.fr OR a.search_en @@ f.en)
                AND NOT EXISTS (SELECT 1 FROM words w WHERE w.id = a.id)
           ), relaxed_q AS MATERIALIZED (
             -- websearch_to_tsquery binds the words next to each other before "or": (a & b) | (a & c) | (b & c).
             SELECT websearch_to_tsquery('french', v.text) AS fr, websearch_to_tsquery('english', v.text) AS en
               FROM (SELECT string_agg(array_to_string(f.ws[:i - 1] || f.ws[i + 1:], ' '), ' or ') AS text
                       FROM (SELECT regexp_split_to_array(btrim(text), '\\s+') AS ws FROM fixed
                              WHERE text ~ '^\\s*[[:alnum:]]+(-[[:alnum:]]+)*(\\s+[[:alnum:]]+(-[[:alnum:]]+)*)*\\s*$'
                                AND (SELECT count(*) FROM words) + (SELECT count(*) FROM corrected) < ${SHORT}) AS f,
                            generate_series(1, cardinality(f.ws)) AS i
                      WHERE cardinality(f.ws) BETWEEN 2 AND 6 AND NOT 'or' = ANY (f.ws)) AS v
           ), relaxed AS (
             SELECT a.id, 2 AS tier, ${RANK('r')} AS score
               FROM articles a, relaxed_q r
              WHERE (a.search_fr @@ r.fr OR a.search_en @@ r.en)
                AND NOT EXISTS (SELECT 1 FROM words w WHERE w.id = a.id)
                AND NOT EXISTS (SELECT 1 FROM corrected c WHERE c.id = a.id)
           ), found AS (
             SELECT id, tier, score FROM words
             UNION ALL SELECT id, tier, score FROM corrected
             UNION ALL SELECT id, tier, score FROM relaxed
           ), ranked AS (
             SELECT id, tier, score, count(*) OVER () AS total FROM found ORDER BY tier, score DESC, id LIMIT $limit OFFSET $offset
           )
           SELECT ${COLUMNS}, r.total
             FROM ranked r JOIN articles a ON a.id = r.id
            ORDER BY r.tier, r.score DESC, a.id`,
          { q, ...range },
        ),
      );
    },

    /** A published article, for its public page; null for a draft or none. */
    async published(id: string): Promise<Article | null> {
      const [row] = await rows<Article>(db, `SELECT ${COLUMNS} FROM articles a WHERE a.id = $id AND a.published`, { id });
      return row ?? null;
    },
  };
}

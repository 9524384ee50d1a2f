import type { Language } from '../domain/values.js';
import { rows, type Db } from './handle.js';

/**
 * The knowledge base's articles (migration 080) and their search, in Postgres alone: the query in
 * both text-search configurations (websearch_to_tsquery: quotes, `or`, `-word` as people type
 * them), accents off on both sides, and a title's trigram word similarity for the typos stemming
 * cannot forgive. Best first: the weighted rank in the article's own language's configuration (or
 * the one that found it); for a typo, a tenth of the title's word similarity.
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
     * The articles that match `q`, drafts too, best first. The words first (both configurations);
     * a title's trigram word similarity only when they found fewer than a page (a typo finds
     * nothing by its words; forgiving typos when the words found plenty would cost a similarity per
     * candidate title for nothing).
     */
    async search(q: string, range: { limit: number; offset: number }): Promise<ArticlePage> {
      const typos = await hasTrigrams(db);
      return page(
        await rows<Counted>(
          db,
          `WITH q AS MATERIALIZED (
             SELECT websearch_to_tsquery('french', immutable_unaccent($q)) AS fr,
                    websearch_to_tsquery('english', immutable_unaccent($q)) AS en,
                    lower(immutable_unaccent($q)) AS plain
           ), words AS MATERIALIZED (
             -- Ranked in the article's own language (one ts_rank per row, not two); found only through the
             -- other configuration's stems, in that one.
             SELECT a.id,
                    CASE WHEN a.language = 'fr' AND a.search_fr @@ q.fr OR a.language = 'en' AND NOT a.search_en @@ q.en
                         THEN ts_rank(a.search_fr, q.fr) ELSE ts_rank(a.search_en, q.en) END AS score
               FROM articles a, q
              WHERE a.search_fr @@ q.fr OR a.search_en @@ q.en
           ), found AS (
             SELECT id, score FROM words
             ${
               typos
                 ? `UNION ALL
             SELECT a.id, word_similarity(q.plain, a.title_plain) / 10 AS score
               FROM articles a, q
              WHERE (SELECT count(*) FROM words) < CAST($limit AS int) + CAST($offset AS int)
                AND q.plain <% a.title_plain
                AND NOT EXISTS (SELECT 1 FROM words w WHERE w.id = a.id)`
                 : ''
             }
           ), ranked AS (
             SELECT id, score, count(*) OVER () AS total FROM found ORDER BY score DESC, id LIMIT $limit OFFSET $offset
           )
           SELECT ${COLUMNS}, r.total
             FROM ranked r JOIN articles a ON a.id = r.id
            ORDER BY r.score DESC, a.id`,
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

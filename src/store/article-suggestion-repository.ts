import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Language } from '../domain/values.js';
import { rows, type Db } from './handle.js';

/**
 * The articles suggested to a requester with a new ticket's acknowledgement (migration 081), and
 * the single use of their links (`PUBLIC_URL/kb/s/<code>`).
 *
 * As with the offer links (offer-link-repository.ts), the code is derived, not drawn: the
 * suggestion's id (5 bytes) followed by 128 bits of HMAC over it, keyed by a key derived from a
 * server secret, in base64url (28 characters). It is stored nowhere: the outbox row and the
 * recorded message keep the link masked (notify/article-link.ts); a dump of the database resolves
 * no ticket.
 */

const ID_BYTES = 5;
const MAC_BYTES = 16;
/** Characters in a code: (5 + 16) bytes of base64url without padding. */
export const SUGGESTION_CODE_LENGTH = ((ID_BYTES + MAC_BYTES) * 4) / 3;
const MAX_ID = 2n ** BigInt(ID_BYTES * 8);
const CODE = new RegExp(`^[A-Za-z0-9_-]{${SUGGESTION_CODE_LENGTH}}$`);

function mac(secret: string, id: bigint): Buffer {
  // A key of its own: the secret's other uses (Twilio's signatures, the offer links) never sign these bytes.
  const key = createHmac('sha256', secret).update('helpdesk article link v1').digest();
  return createHmac('sha256', key).update(`suggestion:${id}`).digest().subarray(0, MAC_BYTES);
}

/** The code of suggestion `id`; null for an id the code cannot carry. */
export function suggestionCode(secret: string, id: string): string | null {
  if (!/^\d{1,18}$/.test(id)) return null;
  const n = BigInt(id);
  if (n >= MAX_ID) return null;
  const head = Buffer.alloc(ID_BYTES);
  head.writeUIntBE(Number(n), 0, ID_BYTES);
  return Buffer.concat([head, mac(secret, n)]).toString('base64url');
}

/** The suggestion a code was made for; null for a code we did not make (compared in constant time). */
export function suggestionOfCode(secret: string, code: string): string | null {
  if (!CODE.test(code)) return null;
  const bytes = Buffer.from(code, 'base64url');
  const id = BigInt(bytes.readUIntBE(0, ID_BYTES));
  return timingSafeEqual(bytes.subarray(ID_BYTES), mac(secret, id)) ? String(id) : null;
}

/** What a new ticket's acknowledgement is to suggest: its words, its requester's language, how many. */
export interface SuggestionRequest {
  ticketId: string;
  text: string;
  language: Language;
  limit: number;
}

export interface Suggested {
  ticketId: string;
  suggestionId: string;
  articleId: string;
  title: string;
  rank: number;
}

export interface Suggestion {
  suggestionId: string;
  ticketId: string;
  articleId: string;
  usedAt: string | null;
}

/** The ticket's words read for a suggestion: the subject and the start of the text are what it is about. */
const TEXT_CHARS = 2_000;
/**
 * A weighted rank below this is a word or two met in passing in a body ("please", "computer"):
 * better no suggestion than an irrelevant one. Measured on the tests' articles: a word in a title
 * ranks from 0.06, a word of the body alone about 0.02.
 */
const MIN_RANK = 0.05;

export function createArticleSuggestionRepository(db: Db) {
  return {
    /**
     * Picks and records, for each new ticket, the published articles that match its words best (any
     * of them, in both configurations), in its requester's language first, never one already
     * suggested for that ticket: one statement for a whole batch of tickets.
     */
    async suggest(requests: readonly SuggestionRequest[]): Promise<Suggested[]> {
      const wanted = requests.filter((r) => r.limit > 0);
      if (wanted.length === 0) return [];
      return rows<Suggested>(
        db,
        `WITH r AS (
           SELECT t.ticket_id, t.lang, t.lim,
                  any_words_query('french', left(t.text, ${TEXT_CHARS})) AS fr,
                  any_words_query('english', left(t.text, ${TEXT_CHARS})) AS en
             FROM unnest(CAST($tickets AS uuid[]), CAST($texts AS text[]), CAST($langs AS text[]), CAST($limits AS int[]))
                  AS t(ticket_id, text, lang, lim)
            -- Reading a ticket's words costs two to_tsvector over its text: a desk without a published
            -- article (an InitPlan, evaluated once) pays nothing for it.
            WHERE EXISTS (SELECT 1 FROM articles WHERE published)
         ), picked AS (
           SELECT r.ticket_id, m.id AS article_id, m.title,
                  row_number() OVER (PARTITION BY r.ticket_id ORDER BY m.own DESC, m.score DESC, m.id) AS rank
             FROM r CROSS JOIN LATERAL (
               SELECT a.id, a.title, a.language = r.lang AS own,
                      greatest(ts_rank(a.search_fr, r.fr), ts_rank(a.search_en, r.en)) AS score
                 FROM articles a
                WHERE a.published AND (a.search_fr @@ r.fr OR a.search_en @@ r.en)
                  AND NOT EXISTS (SELECT 1 FROM article_suggestions s WHERE s.ticket_id = r.ticket_id AND s.article_id = a.id)
             ) m
            WHERE m.score >= ${MIN_RANK}
         ), kept AS (
           SELECT p.* FROM picked p JOIN r ON r.ticket_id = p.ticket_id WHERE p.rank <= r.lim
         ), inserted AS (
           INSERT INTO article_suggestions (ticket_id, article_id, rank)
           SELECT ticket_id, article_id, rank FROM kept
           ON CONFLICT (ticket_id, article_id) DO NOTHING
           RETURNING id, ticket_id, article_id, rank
         )
         SELECT i.ticket_id AS "ticketId", i.id::text AS "suggestionId", i.article_id AS "articleId", k.title, i.rank::int AS rank
           FROM inserted i JOIN kept k ON k.ticket_id = i.ticket_id AND k.article_id = i.article_id
          ORDER BY i.ticket_id, i.rank`,
        {
          tickets: wanted.map((r) => r.ticketId),
          texts: wanted.map((r) => r.text),
          langs: wanted.map((r) => r.language),
          limits: wanted.map((r) => r.limit),
        },
      );
    },

    async find(suggestionId: string): Promise<Suggestion | null> {
      const [row] = await rows<Suggestion>(
        db,
        `SELECT id::text AS "suggestionId", ticket_id AS "ticketId", article_id AS "articleId",
                to_json(used_at) #>> '{}' AS "usedAt"
           FROM article_suggestions WHERE id = CAST($id AS bigint)`,
        { id: suggestionId },
      );
      return row ?? null;
    },

    /** Marks the link used, once: true for the one caller whose update went in. */
    async use(suggestionId: string): Promise<boolean> {
      const used = await rows<{ id: string }>(
        db,
        `UPDATE article_suggestions SET used_at = now() WHERE id = CAST($id AS bigint) AND used_at IS NULL RETURNING id::text AS id`,
        { id: suggestionId },
      );
      return used.length === 1;
    },
  };
}

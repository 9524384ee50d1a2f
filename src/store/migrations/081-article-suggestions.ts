import type { MigrationContext } from './types.js';

/**
 * The articles suggested to a ticket's requester with its acknowledgement (self-service, #16): one
 * row per ticket and article, so that an article seen once is not suggested again for that ticket,
 * and so that its link works once (`used_at`, set by the one use that resolves the ticket). The
 * link's code is derived from the row's id (store/article-suggestion-repository.ts) and stored
 * nowhere.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE article_suggestions (
      id bigserial PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      article_id uuid NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
      rank smallint NOT NULL,
      suggested_at timestamptz NOT NULL DEFAULT now(),
      used_at timestamptz,
      UNIQUE (ticket_id, article_id)
    );
    CREATE INDEX article_suggestions_article_idx ON article_suggestions (article_id);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE article_suggestions;`);
}

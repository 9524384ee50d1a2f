import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Article, ArticleInput, ArticlePage } from '../store/article-repository.js';

/**
 * The knowledge base's articles: written by the desk (coordinators), read by technicians too, and
 * searched in Postgres (store/article-repository.ts). A category must be one the desk knows, as a
 * ticket's must.
 */

async function assertCategory(store: Store, category: string | null | undefined): Promise<void> {
  if (category && !(await store.categories.exists(category))) {
    throw new AppError('VALIDATION_FAILED', `category: unknown category "${category}"`, { field: 'category' });
  }
}

function found(article: Article | null, id: string): Article {
  if (!article) throw new AppError('ARTICLE_NOT_FOUND', `no article ${id}`);
  return article;
}

export async function createArticle(store: Store, input: ArticleInput): Promise<Article> {
  await assertCategory(store, input.category);
  return store.articles.create(input);
}

export async function getArticle(store: Store, id: string): Promise<Article> {
  return found(await store.articles.get(id), id);
}

export async function updateArticle(store: Store, id: string, patch: Partial<ArticleInput>): Promise<Article> {
  await assertCategory(store, patch.category);
  return found(await store.articles.update(id, patch), id);
}

export async function deleteArticle(store: Store, id: string): Promise<void> {
  if (!(await store.articles.remove(id))) throw new AppError('ARTICLE_NOT_FOUND', `no article ${id}`);
}

/** `q` given: the matching articles best first; otherwise all of them, the last changed first. */
export async function findArticles(store: Store, query: { q?: string | undefined; limit: number; offset: number }): Promise<ArticlePage> {
  const q = query.q?.trim();
  const range = { limit: query.limit, offset: query.offset };
  return q ? store.articles.search(q, range) : store.articles.list(range);
}

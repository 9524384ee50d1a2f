import { z } from 'zod';
import { LANGUAGES } from '../../domain/values.js';
import { createArticle, deleteArticle, findArticles, getArticle, updateArticle } from '../../knowledge/articles.js';
import type { Store } from '../../store/index.js';
import { route, type Route } from '../route.js';
import { pageQuery, uuidParams } from '../schemas.js';

/**
 * The knowledge base. Coordinators write it; technicians read and search it too (they answer with
 * it, and name the article that solved a ticket). The public sees published articles at /kb/:id.
 */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const tags = z.array(z.string().trim().toLowerCase().min(1).max(50)).max(30);
const fields = {
  title: text(300),
  body: text(100_000),
  language: z.enum(LANGUAGES, { message: 'expected fr or en' }),
  tags,
  category: z.string().trim().min(1).max(50).nullable(),
  published: z.boolean(),
};

const createBody = z.strictObject({
  ...fields,
  tags: tags.default([]),
  category: fields.category.optional().transform((c) => c ?? null),
  published: z.boolean().default(false),
});
const patchBody = z.strictObject(fields).partial();
const searchQuery = pageQuery.extend({ q: z.string().max(500).optional() });

type IdParams = { id: string };

export function articleRoutes(store: Store): Route[] {
  return [
    route({
      method: 'get',
      path: '/articles',
      tag: 'knowledge',
      summary:
        'Articles, drafts too: {items, total}. With `q`, those that match best first (French and English, accents and word forms ignored, typos in titles forgiven); without, the last changed first',
      access: 'staff',
      query: searchQuery,
      async handler({ query }) {
        return { body: await findArticles(store, query) };
      },
    }),
    route({
      method: 'post',
      path: '/articles',
      tag: 'knowledge',
      summary: 'Write an article: {title, body (Markdown), language, tags?, category?, published?} (a draft unless published)',
      access: 'coordinator',
      body: createBody,
      status: 201,
      async handler({ body }) {
        return { status: 201, body: await createArticle(store, body) };
      },
    }),
    route<IdParams>({
      method: 'get',
      path: '/articles/:id',
      params: uuidParams,
      tag: 'knowledge',
      summary: 'One article, draft or published',
      access: 'staff',
      async handler({ params }) {
        return { body: await getArticle(store, params.id) };
      },
    }),
    route<IdParams, unknown, z.infer<typeof patchBody>>({
      method: 'patch',
      path: '/articles/:id',
      params: uuidParams,
      tag: 'knowledge',
      summary: 'Change an article: any of its fields (`published: true` publishes it, `false` takes it back to draft)',
      access: 'coordinator',
      body: patchBody,
      async handler({ params, body }) {
        return { body: await updateArticle(store, params.id, body) };
      },
    }),
    route<IdParams>({
      method: 'delete',
      path: '/articles/:id',
      params: uuidParams,
      tag: 'knowledge',
      summary: 'Delete an article (its links in past acknowledgements then open nothing)',
      access: 'coordinator',
      status: 204,
      async handler({ params }) {
        await deleteArticle(store, params.id);
        return { status: 204 };
      },
    }),
  ];
}

import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { readPeriod } from '../period.js';
import { route, type Route } from '../route.js';
import { outageBody, statsQuery, uuidParams } from '../schemas.js';

/** Outages, statistics and the mail quarantine: what a coordinator watches over. */
export function deskRoutes(store: Store, timezone: string): Route[] {
  return [
    route({
      method: 'get',
      path: '/outages',
      tag: 'outages',
      summary: 'Known ongoing incidents, announced to callers and in acknowledgements',
      access: 'staff',
      async handler() {
        return { body: { items: await store.outages.current() } };
      },
    }),
    route({
      method: 'post',
      path: '/outages',
      tag: 'outages',
      summary: 'Announce an outage',
      access: 'coordinator',
      status: 201,
      body: outageBody,
      async handler({ body }) {
        if (body.category && !(await store.categories.exists(body.category))) {
          throw new AppError('VALIDATION_FAILED', `category: no category "${body.category}" (GET /api/categories lists them)`, {
            field: 'category',
          });
        }
        // An end already past would be stored and never shown: say so rather than lose it.
        if (body.until && new Date(body.until).getTime() <= Math.max(Date.now(), body.since ? Date.parse(body.since) : 0)) {
          throw new AppError('VALIDATION_FAILED', 'until: must be in the future and after since', { field: 'until' });
        }
        const outage = await store.outages.create({
          title: body.title,
          message: body.message,
          ...(body.since ? { since: new Date(body.since) } : {}),
          ...(body.until ? { until: new Date(body.until) } : {}),
          ...(body.category ? { category: body.category } : {}),
          ...(body.translations ? { translations: body.translations } : {}),
        });
        return { status: 201, body: outage };
      },
    }),
    route<{ id: string }>({
      method: 'delete',
      path: '/outages/:id',
      params: uuidParams,
      tag: 'outages',
      summary: 'End an outage',
      access: 'coordinator',
      status: 204,
      async handler({ params }) {
        if (!(await store.outages.end(params.id))) throw new AppError('OUTAGE_NOT_FOUND', `outage ${params.id} is not ongoing`);
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      tag: 'stats',
      summary: 'Volumes, MTTA, MTTR, first-contact resolution and SLA compliance (default: the last 30 days)',
      access: 'coordinator',
      query: statsQuery,
      async handler({ query }) {
        const { from, to } = readPeriod(query, { timezone, defaultDays: 30 });
        return { body: await store.stats.compute(from, to) };
      },
    }),
    route({
      method: 'get',
      path: '/quarantine',
      tag: 'mail',
      summary: 'Emails that could not be parsed or stored',
      access: 'coordinator',
      async handler() {
        return { body: { items: await store.quarantine.list() } };
      },
    }),
  ];
}

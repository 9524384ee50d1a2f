import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { route, type Route } from '../route.js';
import { outageBody, statsQuery } from '../schemas.js';

const DAY = 24 * 3600 * 1000;

/** Outages, statistics and the mail quarantine: what a coordinator watches over. */
export function deskRoutes(store: Store): Route[] {
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
        const outage = await store.outages.create({
          title: body.title,
          message: body.message,
          ...(body.since ? { since: new Date(body.since) } : {}),
          ...(body.until ? { until: new Date(body.until) } : {}),
          ...(body.category ? { category: body.category } : {}),
        });
        return { status: 201, body: outage };
      },
    }),
    route<{ id: string }>({
      method: 'delete',
      path: '/outages/:id',
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
        const to = query.to ? new Date(query.to) : new Date();
        const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
        if (from >= to) throw new AppError('VALIDATION_FAILED', 'from: must be before to', { field: 'from' });
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

import { DateTime } from 'luxon';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { route, type Route } from '../route.js';
import { outageBody, statsQuery, uuidParams } from '../schemas.js';

const DAY = 24 * 3600 * 1000;

/** A moment as given, or a day alone: its start (`from`) or its end (`to`) in the desk's time zone. */
export function boundary(value: string, edge: 'start' | 'end', timezone: string): Date {
  const field = edge === 'start' ? 'from' : 'to';
  const day = value.includes('T') ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone: timezone });
  if (!day.isValid) throw new AppError('VALIDATION_FAILED', `${field}: ${value} is not a date`, { field });
  return (edge === 'end' && !value.includes('T') ? day.plus({ days: 1 }) : day).toJSDate();
}

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
          throw new AppError('VALIDATION_FAILED', `category: no category "${body.category}" (GET /api/categories lists them)`, { field: 'category' });
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
        const to = query.to ? boundary(query.to, 'end', timezone) : new Date();
        const from = query.from ? boundary(query.from, 'start', timezone) : new Date(to.getTime() - 30 * DAY);
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

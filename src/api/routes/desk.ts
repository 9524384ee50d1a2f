import type { TicketDeps } from '../../tickets/deps.js';
import { declareOutage, endOutage } from '../../tickets/outages.js';
import { readPeriod } from '../period.js';
import { route, type Route } from '../route.js';
import { outageBody, pageQuery, statsQuery, uuidParams } from '../schemas.js';

/** Outages, statistics and the mail quarantine: what a coordinator watches over. */
export function deskRoutes(tickets: TicketDeps): Route[] {
  const { store } = tickets;
  const { timezone } = tickets.config;
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
        return { status: 201, body: await declareOutage(store, body) };
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
        await endOutage(tickets, params.id, { kind: 'coordinator' });
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
      summary: 'Emails that could not be parsed or stored, newest first: {items, total}',
      access: 'coordinator',
      query: pageQuery,
      async handler({ query }) {
        return { body: await store.quarantine.list(query) };
      },
    }),
  ];
}

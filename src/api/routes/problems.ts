import { z } from 'zod';
import type { TicketDeps } from '../../tickets/deps.js';
import { createProblem, getProblem, linkIncidents, resolveProblem, updateProblem } from '../../tickets/problems.js';
import { route, type Route } from '../route.js';
import { pageQuery, uuidParams } from '../schemas.js';

/** Input shapes of /api/problems (issue #16). */
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const note = (max: number) => z.string().trim().max(max).nullable();
const ticketKey = z
  .union([z.number().int().positive(), z.string().trim().min(1).max(40)], { message: 'expected a ticket number or reference (HD-123)' })
  .transform(String);
const tickets = z.array(ticketKey).min(1, 'name at least one ticket').max(500);
const openStatus = z.enum(['open', 'known_error'], {
  message: 'expected open or known_error (a problem is resolved through POST /api/problems/:id/resolve)',
});
const outageId = z.uuid({ message: 'expected an outage id, as GET /api/outages returns it' });

const createProblemBody = z.strictObject({
  title: text(300),
  status: openStatus.optional(),
  rootCause: text(10_000).optional(),
  workaround: text(10_000).optional(),
  outageId: outageId.optional(),
  incidents: tickets.optional(),
});
const patchProblemBody = z.strictObject({
  title: text(300).optional(),
  status: openStatus.optional(),
  rootCause: note(10_000).optional(),
  workaround: note(10_000).optional(),
  outageId: outageId.nullable().optional(),
});
const incidentsBody = z.strictObject({ tickets });
const resolveProblemBody = z.strictObject({
  resolution: z.string().max(10_000).optional(),
  resolveIncidents: z.boolean().optional(),
});

/** Problems: the cause behind incidents, linked both ways, resolved once for all of them. */
export function problemRoutes(deps: TicketDeps): Route[] {
  const coordinator = { kind: 'coordinator' } as const;
  return [
    route({
      method: 'get',
      path: '/problems',
      tag: 'problems',
      summary: 'Problems, newest first: {items, total}',
      access: 'staff',
      query: pageQuery,
      async handler({ query }) {
        return { body: await deps.store.problems.list(query.limit, query.offset) };
      },
    }),
    route({
      method: 'post',
      path: '/problems',
      tag: 'problems',
      summary: 'Record a problem (status open or known_error; a known error needs its rootCause or workaround), incidents linked at once',
      access: 'coordinator',
      status: 201,
      body: createProblemBody,
      async handler({ body }) {
        return { status: 201, body: await createProblem(deps, body, coordinator) };
      },
    }),
    route({
      method: 'get',
      path: '/problems/:id',
      params: uuidParams,
      tag: 'problems',
      summary: 'A problem with its incidents (ticket numbers)',
      access: 'staff',
      async handler({ params }) {
        return { body: await getProblem(deps.store, params.id) };
      },
    }),
    route({
      method: 'patch',
      path: '/problems/:id',
      params: uuidParams,
      tag: 'problems',
      summary: 'Change title, status (open, known_error: reopens a resolved problem), rootCause, workaround, outageId',
      access: 'coordinator',
      body: patchProblemBody,
      async handler({ params, body }) {
        return { body: await updateProblem(deps, params.id, body) };
      },
    }),
    route({
      method: 'post',
      path: '/problems/:id/incidents',
      params: uuidParams,
      tag: 'problems',
      summary: 'Link tickets (numbers or references) to the problem as its incidents; each ticket gets a linked_to_problem event',
      access: 'coordinator',
      body: incidentsBody,
      async handler({ params, body }) {
        return { body: await linkIncidents(deps, params.id, body.tickets, coordinator) };
      },
    }),
    route({
      method: 'post',
      path: '/problems/:id/resolve',
      params: uuidParams,
      tag: 'problems',
      summary:
        'Resolve the problem; with resolveIncidents, every linked open incident is resolved with the resolution (by the worker, each in its own transaction) and its requester told once',
      access: 'coordinator',
      body: resolveProblemBody,
      async handler({ params, body }) {
        return { body: await resolveProblem(deps, params.id, body) };
      },
    }),
  ];
}

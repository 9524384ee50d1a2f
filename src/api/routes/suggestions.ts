import { z } from 'zod';
import type { TicketDeps } from '../../tickets/deps.js';
import { declareOutageFromTickets, listSuggestions } from '../../tickets/suggestions.js';
import { route, type Route } from '../route.js';

/** Input shape of POST /api/problems/suggestions/declare-outage (issue #16). */
const ticketKey = z
  .union([z.number().int().positive(), z.string().trim().min(1).max(40)], { message: 'expected a ticket number or reference (HD-123)' })
  .transform(String);
const declareOutageBody = z.strictObject({
  tickets: z.array(ticketKey).min(1, 'name at least one ticket').max(500),
  title: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  message: z.string().trim().min(1, 'must not be empty').max(2_000).optional(),
});

/**
 * Recurrence seen early: the suggestions, and an outage declared from one in one step (a problem
 * is opened from one by POST /api/problems with its tickets as `incidents`). Mounted before the
 * problem routes: `/problems/:id` would otherwise answer `/problems/suggestions`.
 */
export function suggestionRoutes(deps: TicketDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/problems/suggestions',
      tag: 'problems',
      summary:
        'Groups of open tickets of the last 2 hours that look like one cause (same category, similar words): {items: [{tickets, title, since}]}',
      // Other people's tickets, by subject: a technician reads only those assigned to them.
      access: 'coordinator',
      async handler() {
        return { body: { items: await listSuggestions(deps) } };
      },
    }),
    route({
      method: 'post',
      path: '/problems/suggestions/declare-outage',
      tag: 'outages',
      summary: "Declare an outage from a suggestion's tickets and link them to it (its category the tickets' when they share one)",
      access: 'coordinator',
      status: 201,
      body: declareOutageBody,
      async handler({ body }) {
        return { status: 201, body: await declareOutageFromTickets(deps, body, { kind: 'coordinator' }) };
      },
    }),
  ];
}

import { ticketFromFiltered } from '../../intake/email/filtered-ticket.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { route, type Route } from '../route.js';
import { pageQuery, uuidParams } from '../schemas.js';

/** Mail that opened no ticket and landed on none, and a person's decision that one was a request. */
export function filteredRoutes(deps: TicketDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/filtered',
      tag: 'mail',
      summary:
        'Emails that opened no ticket and landed on none (bounces, automatic and list mail answering nothing, loops, storms past their cap), newest first: {items, total}; `reason` a code (loop, bounce, automatic, rate_limited), `detail` its words',
      access: 'coordinator',
      query: pageQuery,
      async handler({ query }) {
        return { body: await deps.store.filteredMail.list(query) };
      },
    }),
    route<{ id: string }>({
      method: 'post',
      path: '/filtered/:id/ticket',
      params: uuidParams,
      tag: 'mail',
      summary: 'Turn a filtered email into a ticket, as if it had been a request (once: again is a 409 naming the ticket)',
      access: 'coordinator',
      status: 201,
      async handler({ params }) {
        return { status: 201, body: await ticketFromFiltered(deps, params.id) };
      },
    }),
  ];
}

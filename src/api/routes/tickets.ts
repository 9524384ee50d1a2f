import { AppError } from '../../errors.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { addNote, closeTicket, escalateTicket, reopenTicket, resolveTicket, updateTicket } from '../../tickets/actions.js';
import { ticketIdOrThrow } from '../../tickets/apply-change.js';
import { openTicket } from '../../tickets/open-ticket.js';
import { replyToRequester } from '../../tickets/reply.js';
import type { Actor, Ticket } from '../../domain/ticket.js';
import type { Principal } from '../../store/token-repository.js';
import { route, type Route } from '../route.js';
import {
  createTicketBody,
  emptyBody,
  escalateBody,
  noteBody,
  patchTicketBody,
  reopenBody,
  replyBody,
  resolveBody,
  ticketListQuery,
} from '../schemas.js';

type IdParams = { id: string };

function actorOf(principal: Principal): Actor {
  return principal.role === 'technician' && principal.technicianId
    ? { kind: 'technician', id: principal.technicianId }
    : { kind: 'coordinator' };
}

/** A technician reads only the tickets assigned to them. */
function assertMayRead(principal: Principal, ticket: Pick<Ticket, 'assignee'>): void {
  if (principal.role === 'technician' && ticket.assignee?.id !== principal.technicianId) {
    throw new AppError('FORBIDDEN', 'this ticket is not assigned to you');
  }
}

export function ticketRoutes(deps: TicketDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/tickets',
      tag: 'tickets',
      summary: 'List tickets, newest first',
      access: 'staff',
      query: ticketListQuery,
      async handler({ query, principal }) {
        const assignee = principal.role === 'technician' ? (principal.technicianId ?? 'none') : query.assignee;
        return { body: await deps.store.tickets.list({ ...query, ...(assignee ? { assignee } : {}) }) };
      },
    }),
    route({
      method: 'post',
      path: '/tickets',
      tag: 'tickets',
      summary: 'Open a ticket (channel web)',
      access: 'staff',
      status: 201,
      body: createTicketBody,
      async handler({ body }) {
        const { ticket } = await openTicket(deps, {
          channel: 'web',
          subject: body.subject,
          description: body.description,
          requester: body.requester,
          ...(body.impact ? { impact: body.impact } : {}),
          ...(body.urgency ? { urgency: body.urgency } : {}),
          ...(body.category ? { category: body.category } : {}),
        });
        return { status: 201, body: ticket };
      },
    }),
    route<IdParams>({
      method: 'get',
      path: '/tickets/:id',
      tag: 'tickets',
      summary: 'A ticket with its events and messages',
      access: 'staff',
      async handler({ params, principal }) {
        const detail = await deps.store.tickets.detail(await ticketIdOrThrow(deps, params.id));
        if (!detail) throw new AppError('TICKET_NOT_FOUND', `ticket ${params.id} does not exist`);
        assertMayRead(principal, detail);
        return { body: detail };
      },
    }),
    route({
      method: 'patch',
      path: '/tickets/:id',
      tag: 'tickets',
      summary: 'Change status, priority, impact, urgency, category or assignee',
      access: 'staff',
      body: patchTicketBody,
      async handler({ params, body, principal }) {
        return { body: await updateTicket(deps, (params as IdParams).id, body, actorOf(principal)) };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/notes',
      tag: 'tickets',
      summary: 'Add a work note',
      access: 'staff',
      status: 201,
      body: noteBody,
      async handler({ params, body, principal }) {
        const ticket = await addNote(deps, (params as IdParams).id, body.body, body.internal, actorOf(principal));
        return { status: 201, body: ticket };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/replies',
      tag: 'tickets',
      summary: 'Reply to the requester by the channel they used (email threaded, watchers in Cc; or SMS); 422 when empty',
      access: 'staff',
      status: 201,
      body: replyBody,
      async handler({ params, body, principal }) {
        const ticket = await replyToRequester(deps, (params as IdParams).id, body.body, actorOf(principal));
        return { status: 201, body: ticket };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/escalate',
      tag: 'tickets',
      summary: 'Escalate to the next tier and priority',
      access: 'staff',
      body: escalateBody,
      async handler({ params, body, principal }) {
        return { body: await escalateTicket(deps, (params as IdParams).id, body.reason, actorOf(principal)) };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/resolve',
      tag: 'tickets',
      summary: 'Resolve with a resolution note (422 when it is empty); `articleId`: the article that solved it',
      access: 'staff',
      body: resolveBody,
      async handler({ params, body, principal }) {
        return {
          body: await resolveTicket(deps, (params as IdParams).id, body.resolution, actorOf(principal), { articleId: body.articleId }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/close',
      tag: 'tickets',
      summary: 'Close a resolved ticket',
      access: 'staff',
      body: emptyBody,
      async handler({ params, principal }) {
        return { body: await closeTicket(deps, (params as IdParams).id, actorOf(principal)) };
      },
    }),
    route({
      method: 'post',
      path: '/tickets/:id/reopen',
      tag: 'tickets',
      summary: 'Reopen a resolved or closed ticket',
      access: 'staff',
      body: reopenBody,
      async handler({ params, body, principal }) {
        return { body: await reopenTicket(deps, (params as IdParams).id, body.reason, actorOf(principal)) };
      },
    }),
  ];
}

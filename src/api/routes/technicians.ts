import { AppError } from '../../errors.js';
import { updateTicket } from '../../tickets/actions.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { addTechnician, changeTechnician, technicianOr404 } from '../../tickets/technicians.js';
import { route, type Route } from '../route.js';
import { technicianBody, technicianPatchBody, uuidParams } from '../schemas.js';

export function technicianRoutes(deps: TicketDeps): Route[] {
  const { store } = deps;
  return [
    route({
      method: 'get',
      path: '/technicians',
      tag: 'technicians',
      summary: 'The desk’s technicians',
      access: 'staff',
      async handler() {
        return { body: { items: await store.technicians.list() } };
      },
    }),
    route({
      method: 'post',
      path: '/technicians',
      tag: 'technicians',
      summary: 'Add a technician; the answer carries their API token, once',
      access: 'coordinator',
      status: 201,
      body: technicianBody,
      async handler({ body }) {
        return { status: 201, body: await addTechnician(deps, body) };
      },
    }),
    route<{ id: string }>({
      method: 'get',
      path: '/technicians/:id',
      params: uuidParams,
      tag: 'technicians',
      summary: 'One technician',
      access: 'staff',
      async handler({ params }) {
        return { body: await technicianOr404(deps, params.id) };
      },
    }),
    route({
      method: 'patch',
      path: '/technicians/:id',
      params: uuidParams,
      tag: 'technicians',
      summary: 'Change a technician: tier, skills, load, availability, on-call, shift',
      access: 'coordinator',
      body: technicianPatchBody,
      async handler({ params, body }) {
        return { body: await changeTechnician(deps, params.id, body) };
      },
    }),
    route<{ id: string }>({
      method: 'delete',
      path: '/technicians/:id',
      params: uuidParams,
      tag: 'technicians',
      summary: 'Remove a technician from the desk (their history stays), revoke their token, and hand their open tickets back to routing',
      access: 'coordinator',
      status: 204,
      async handler({ params }) {
        // Gone and their token with them, or neither: never a departed technician who can still sign in.
        await store.transaction(async (tx) => {
          if (!(await tx.technicians.remove(params.id))) {
            throw new AppError('TECHNICIAN_NOT_FOUND', `technician ${params.id} does not exist`);
          }
          await tx.tokens.revokeTechnician(params.id);
        });
        // Their tickets must not wait on someone who has left: each goes back to routing.
        for (const ticket of await store.tickets.openTicketsOf(params.id)) {
          await updateTicket(deps, String(ticket.number), { assigneeId: null }, { kind: 'coordinator' });
        }
        return { status: 204 };
      },
    }),
  ];
}

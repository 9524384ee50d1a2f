import { generateToken } from '../../config/index.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { updateTicket } from '../../tickets/actions.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { route, type Route } from '../route.js';
import { technicianBody, technicianPatchBody, uuidParams } from '../schemas.js';
import { parseBusinessHours } from '../../config/business-hours.js';

function assertShift(shift: string | null | undefined): void {
  if (!shift) return;
  try {
    parseBusinessHours(shift);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `shift: ${(err as Error).message}`, { field: 'shift' });
  }
}

async function getOr404(store: Store, id: string) {
  const technician = await store.technicians.get(id);
  if (!technician) throw new AppError('TECHNICIAN_NOT_FOUND', `technician ${id} does not exist`);
  return technician;
}

/** Routing hears of every change: someone new, available again or with more room may take waiting tickets. */
function told(deps: TicketDeps, technicianId: string): void {
  for (const listener of deps.technicianListeners ?? []) listener({ technicianId });
}

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
        assertShift(body.shift);
        if (body.phone && (await store.technicians.findByPhone(body.phone))) {
          throw new AppError('CONFLICT', 'phone: another technician already has this number', { field: 'phone' });
        }
        const token = generateToken();
        const technician = await store.transaction(async (tx) => {
          const created = await tx.technicians.create(body);
          await tx.tokens.issue(token, { role: 'technician', technicianId: created.id });
          return created;
        });
        told(deps, technician.id);
        return { status: 201, body: { ...technician, token } };
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
        return { body: await getOr404(store, params.id) };
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
        const id = params.id;
        await getOr404(store, id);
        assertShift(body.shift);
        const holder = body.phone ? await store.technicians.findByPhone(body.phone) : null;
        if (holder && holder.id !== id) {
          throw new AppError('CONFLICT', 'phone: another technician already has this number', { field: 'phone' });
        }
        const updated = await store.technicians.update(id, body);
        if (!updated) throw new AppError('TECHNICIAN_NOT_FOUND', `technician ${id} does not exist`);
        told(deps, id);
        return { body: updated };
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

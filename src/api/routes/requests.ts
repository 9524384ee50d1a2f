import { z } from 'zod';
import { decideAsCoordinator, type ApprovalAnswer } from '../../tickets/approvals.js';
import { ticketIdOrThrow } from '../../tickets/apply-change.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { openRequest } from '../../tickets/requests.js';
import { AppError } from '../../errors.js';
import { route, type Route } from '../route.js';
import { phone } from '../schemas.js';

/** Input shapes of the service requests' routes (#17). */
const contact = {
  name: z.string().trim().max(200).optional(),
  email: z.email({ message: 'expected an email address' }).optional(),
  phone: phone.optional(),
};
const requestBody = z.strictObject({
  item: z.string().trim().min(1, 'name a catalog item, as GET /api/catalog lists them').max(63),
  requester: z
    .strictObject({
      ...contact,
      // The API is a coordinator's: they vouch for the manager, who approves the items that ask for one.
      manager: z
        .strictObject(contact)
        .refine((m) => m.email || m.phone, { message: 'needs an email or a phone' })
        .optional(),
    })
    .refine((r) => r.email || r.phone, { message: 'needs an email or a phone' }),
  fields: z.record(z.string().min(1).max(63), z.union([z.string().max(10_000), z.number(), z.boolean()])).default({}),
});
const decisionBody = z.strictObject({ comment: z.string().max(5_000).optional() });

type IdParams = { id: string };
type DecisionBody = z.infer<typeof decisionBody>;

export function requestRoutes(deps: TicketDeps): Route[] {
  async function decided(key: string, answer: ApprovalAnswer) {
    const id = await ticketIdOrThrow(deps, key);
    await decideAsCoordinator(deps, id, answer);
    const ticket = await deps.store.tickets.get(id);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    return { body: ticket };
  }
  return [
    route({
      method: 'post',
      path: '/requests',
      tag: 'requests',
      summary:
        'Open a service request of a catalog item (an unknown item or a bad field: 422 naming it); it waits for approval when the item has approvers',
      access: 'coordinator',
      status: 201,
      body: requestBody,
      async handler({ body }) {
        const ticket = await openRequest(deps, { itemId: body.item, requester: body.requester, fields: body.fields, channel: 'web' });
        return { status: 201, body: ticket };
      },
    }),
    route<IdParams, unknown, DecisionBody>({
      method: 'post',
      path: '/tickets/:id/approve',
      // A ticket's action: its :id is a ticket's number, reference or id, as the document says of the tickets' routes.
      tag: 'tickets',
      summary: 'Approve a request awaiting approval, whatever its rule (409 when it is not awaiting approval)',
      access: 'coordinator',
      body: decisionBody,
      async handler({ params, body }) {
        return decided(params.id, { decision: 'approved', via: 'api', ...(body.comment ? { comment: body.comment } : {}) });
      },
    }),
    route<IdParams, unknown, DecisionBody>({
      method: 'post',
      path: '/tickets/:id/reject',
      // A ticket's action: its :id is a ticket's number, reference or id, as the document says of the tickets' routes.
      tag: 'tickets',
      summary:
        'Reject a request awaiting approval with a comment the requester is told (422 without one; 409 when it is not awaiting approval)',
      access: 'coordinator',
      body: decisionBody,
      async handler({ params, body }) {
        return decided(params.id, { decision: 'rejected', via: 'api', ...(body.comment ? { comment: body.comment } : {}) });
      },
    }),
  ];
}

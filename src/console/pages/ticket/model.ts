import type { Outage, Requester, TicketDetail } from '../../../domain/ticket.js';
import { AppError } from '../../../errors.js';
import type { CatalogItem } from '../../../store/catalog-repository.js';
import type { MessageOriginal } from '../../../store/message-repository.js';
import { ticketIdOrThrow } from '../../../tickets/apply-change.js';
import type { ConsoleDeps } from '../../deps.js';
import type { Viewer } from '../../viewer.js';
import { reassignChoices, type ReassignChoice } from './candidates.js';

/** Everything the ticket page shows, read once per request. */
export interface TicketView {
  ticket: TicketDetail;
  requester: Requester | null;
  /** By `channel externalId`: a message's quoted part and media. */
  originals: ReadonlyMap<string, MessageOriginal>;
  /** Technician ids to names, gone technicians included when the store still lists them. */
  names: ReadonlyMap<string, string>;
  /** Ongoing outages: what the ticket may be linked to, and the title of the one it is. */
  outages: Outage[];
  /** For a coordinator's reassign list; empty for a technician. */
  choices: ReassignChoice[];
  /** A request's catalog item as it is now (its fields' labels), or null. */
  item: CatalogItem | null;
  /** The request a child task belongs to, or null. */
  parent: { number: number; subject: string } | null;
}

export const originalKey = (m: { channel: string; externalId: string }) => `${m.channel} ${m.externalId}`;

/** A technician reads only the tickets assigned to them (as GET /api/tickets/:id): 403 otherwise. */
export function assertMayRead(viewer: Viewer, ticket: Pick<TicketDetail, 'assignee'>): void {
  if (viewer.principal.role === 'technician' && ticket.assignee?.id !== viewer.principal.technicianId) {
    throw new AppError('FORBIDDEN', 'this ticket is not assigned to you');
  }
}

/**
 * The ticket as GET /api/tickets/:id reads it, and what the page adds around it. `full`: the whole
 * page (the reassign ranking is read only then, and only for a coordinator); a live region needs less.
 */
export async function loadTicketView(deps: ConsoleDeps, viewer: Viewer, key: string, full: boolean): Promise<TicketView> {
  const id = await ticketIdOrThrow(deps.tickets, key);
  const ticket = await deps.store.tickets.detail(id);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', `ticket ${key} does not exist`);
  assertMayRead(viewer, ticket);
  const now = deps.tickets.now?.() ?? new Date();
  const [requester, originals, technicians, outages, item, parent] = await Promise.all([
    deps.store.requesters.get(ticket.requester.id),
    deps.store.messages.originalsOf(id),
    deps.store.technicians.list(),
    deps.store.outages.current(now),
    ticket.request ? deps.store.catalog.get(ticket.request.item.id) : null,
    ticket.parentId ? deps.store.tickets.get(ticket.parentId) : null,
  ]);
  const coordinator = viewer.principal.role === 'coordinator';
  const open = ticket.status !== 'resolved' && ticket.status !== 'closed';
  const choices = full && coordinator && open ? await reassignChoices(deps, ticket, technicians, now) : [];
  return {
    ticket,
    requester,
    originals: new Map(originals.map((o) => [originalKey(o), o])),
    names: new Map(technicians.map((t) => [t.id, t.name])),
    outages,
    choices,
    item,
    parent: parent ? { number: parent.number, subject: parent.subject } : null,
  };
}

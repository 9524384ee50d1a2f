import type { TicketState } from '../store/ticket-repository.js';

export const ROUTING_ACTOR = 'system:routing';

export type RouteOutcome = { kind: 'offered'; technicianId: string } | { kind: 'queued' } | { kind: 'skipped'; reason: string };

/** What a routing step did inside its transaction; the caller commits, then calls afterRouting. */
export interface Routed {
  ticketId: string;
  outcome: RouteOutcome;
  /** Types of the events written, for the listeners. */
  events: string[];
  state: TicketState | null;
}

/** Several routers want the same technicians at once; the job is retried and decides again. */
export class RoutingContention extends Error {
  constructor() {
    super('routing: the fitting technicians are being offered other tickets right now; try again');
    this.name = 'RoutingContention';
  }
}

export * from './actions.js';
export { openTicket, type OpenTicketInput, type OpenTicketResult } from './open-ticket.js';
export { applyChange, ticketIdOrThrow, type Decision } from './apply-change.js';
export type { TicketDeps, TicketPolicy, TicketListener, Assessment } from './deps.js';
export * from './lifecycle.js';
export * from './types.js';

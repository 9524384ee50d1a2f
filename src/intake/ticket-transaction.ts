import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import { within, type TicketDeps } from '../tickets/deps.js';

export interface LockedTicket {
  /** The repositories of the transaction: every read and write of `work` runs on its connection. */
  tx: Store;
  /** The row as locked, before anything `work` does. */
  state: TicketState;
  /**
   * TicketDeps within `tx`: `applyChange` and every use case built on it (addNote, reopenTicket…)
   * write inside this same transaction, and their listeners hear of it only after it commits.
   */
  deps: TicketDeps;
}

/**
 * Runs `work` in one transaction that holds the ticket's row lock from the start. Intake needs this
 * where a change must be all-or-nothing with a write `applyChange` does not know about: the inbound
 * message row whose unique key makes a redelivered webhook a no-op, an attachment, or a check of the
 * ticket's history (was this recording already attached?). The state change itself still goes
 * through `applyChange`, the only way a ticket changes, on the deps within the transaction.
 *
 * Taking the lock first matters: inserting a row that references the ticket takes a key-share lock on
 * it, and two transactions that both hold one and then ask for the update lock deadlock.
 */
export async function withLockedTicket<T>(deps: TicketDeps, ticketId: string, work: (locked: LockedTicket) => Promise<T>): Promise<T> {
  return deps.store.transaction(async (tx) => {
    const state = await tx.tickets.lock(ticketId);
    if (!state) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    return work({ tx, state, deps: within(deps, tx) });
  });
}

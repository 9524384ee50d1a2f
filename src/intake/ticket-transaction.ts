import type { Transaction } from 'sequelize';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import type { TicketDeps, TicketListener } from '../tickets/deps.js';

type Change = Parameters<TicketListener>[0];

export interface LockedTicket {
  tx: Transaction;
  /** The row as locked, before anything `work` does. */
  state: TicketState;
  /**
   * TicketDeps bound to `tx`: `applyChange` and every use case built on it (addNote, reopenTicket…)
   * write inside this same transaction, and their listeners hear of it only after it commits.
   */
  deps: TicketDeps;
}

/**
 * Runs `work` in one transaction that holds the ticket's row lock from the start. Intake needs this
 * where a change must be all-or-nothing with a write `applyChange` does not know about: the inbound
 * message row whose unique key makes a redelivered webhook a no-op, an attachment, or a check of the
 * ticket's history (was this recording already attached?). The state change itself still goes
 * through `applyChange`, the only way a ticket changes, on the bound deps.
 *
 * Taking the lock first matters: inserting a row that references the ticket takes a key-share lock on
 * it, and two transactions that both hold one and then ask for the update lock deadlock.
 */
export async function withLockedTicket<T>(deps: TicketDeps, ticketId: string, work: (locked: LockedTicket) => Promise<T>): Promise<T> {
  const { result, joined } = await deps.store.transaction(async (tx) => {
    const state = await deps.store.tickets.lock(ticketId, tx);
    if (!state) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    const joined = joinTransaction(deps, tx);
    return { result: await work({ tx, state, deps: joined.deps }), joined };
  });
  joined.announce();
  return result;
}

export interface Joined {
  /** TicketDeps whose use cases (openTicket, applyChange…) write inside the caller's transaction. */
  deps: TicketDeps;
  /** Tells the real listeners (routing, metrics) what changed; call once the transaction committed. */
  announce(): void;
}

/**
 * TicketDeps whose store opens no transaction of its own but joins `tx`, and whose reads default to
 * it: a read on another pooled connection would not see the uncommitted change, and would hold a
 * second connection while this one waits (enough such requests at once exhaust the pool). Their
 * listeners hear of the changes only when `announce` is called, after the commit.
 */
export function joinTransaction(deps: TicketDeps, tx: Transaction): Joined {
  const { store } = deps;
  const changes: Change[] = [];
  const joined: Store = {
    ...store,
    transaction: <R>(fn: (t: Transaction) => Promise<R>): Promise<R> => fn(tx),
    tickets: {
      ...store.tickets,
      get: (id, t) => store.tickets.get(id, t ?? tx),
      idByKey: (key, t) => store.tickets.idByKey(key, t ?? tx),
    },
    messages: {
      ...store.messages,
      ticketIdOf: (channel, externalId, t) => store.messages.ticketIdOf(channel, externalId, t ?? tx),
    },
  };
  return {
    deps: { ...deps, store: joined, listeners: [(change) => void changes.push(change)] },
    announce() {
      for (const change of changes) for (const listener of deps.listeners ?? []) listener(change);
    },
  };
}

import type { Transaction } from 'sequelize';
import type { Store } from '../../store/index.js';
import type { TicketDeps, TicketListener } from '../../tickets/deps.js';

type Change = Parameters<TicketListener>[0];

export interface Joined {
  /** TicketDeps whose use cases (openTicket, applyChange…) write inside the caller's transaction. */
  deps: TicketDeps;
  /** Tells the real listeners (routing, metrics) what changed; call once the transaction committed. */
  announce(): void;
}

/**
 * Thrown when a use case found the email already stored after it had started writing (the same
 * email through a second mailbox, committed meanwhile): the caller undoes the whole transaction.
 */
export class Redelivered extends Error {
  constructor() {
    super('the email was stored meanwhile by another reader');
    this.name = 'Redelivered';
  }
}

/**
 * One email is one transaction: the mailbox cursor, the ticket or reply it makes, its attachments
 * and the notifications it owes commit together or not at all. The ticket use cases open their own
 * transactions; here they run inside ours instead (a use case that throws undoes the whole email),
 * their reads default to ours so that they see what it wrote, and the listeners hear of the
 * changes only after the commit.
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

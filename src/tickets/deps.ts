import type { Config } from '../config/index.js';
import type { Channel } from '../domain/values.js';
import type { TicketPolicy } from '../rules/policy.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

/** Told after a change commits; routing and timers listen here. */
export interface TicketChange {
  ticketId: string;
  events: string[];
  channel?: Channel;
}

export type TicketListener = (change: TicketChange) => void;

/** Told after a technician is created, changed or removed; routing offers them waiting tickets. */
export type TechnicianListener = (change: { technicianId: string }) => void;

export interface TicketDeps {
  store: Store;
  policy: TicketPolicy;
  config: Pick<Config, 'language' | 'coordinator' | 'timezone'>;
  log: Logger;
  listeners?: TicketListener[];
  technicianListeners?: TechnicianListener[];
  now?: () => Date;
}

/**
 * The same desk, its use cases writing inside `tx`: a use case that opens its own unit of work
 * joins the caller's instead (a transaction's Store joins), and its listeners hear of the change
 * when the caller's transaction commits.
 */
export function within(deps: TicketDeps, tx: Store): TicketDeps {
  return { ...deps, store: tx };
}

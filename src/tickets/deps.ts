import type { Config } from '../config/index.js';
import type { Channel, Level, Priority, Tier } from '../domain.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

/** What a new ticket's priority, category and tier were decided from. */
export interface Assessment {
  impact: Level;
  urgency: Level;
  priority: Priority;
  category: string | null;
  tier: Tier;
  reasons: string[];
}

export interface AssessInput {
  channel: Channel;
  subject: string;
  description: string;
  impact?: Level | undefined;
  urgency?: Level | undefined;
  category?: string | null | undefined;
  vip: boolean;
  /** Channel hints: the IVR's urgent option, an urgent@ mailbox, X-Priority/Importance. */
  urgencyHint?: Level | undefined;
}

/**
 * The routing rules the lifecycle needs at the moment of a change. Pure functions behind an
 * interface, so that tickets/ does not depend on how routing stores its rules.
 */
export interface TicketPolicy {
  assess(input: AssessInput): Assessment;
  priorityOf(impact: Level, urgency: Level): Priority;
  slaDue(openedAt: Date, priority: Priority): { respondBy: Date; resolveBy: Date };
  /** The stored rules changed (through the API): read them again before the next decision. */
  refresh?(): Promise<void>;
}

/** Told after a change commits; routing and timers listen here. */
export type TicketListener = (change: { ticketId: string; events: string[]; channel?: Channel }) => void;

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

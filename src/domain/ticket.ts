import type { Channel, Language, Level, Priority, Tier, TicketStatus } from './values.js';

/** Plain objects the rooms exchange; the shapes of the public contract. */

export interface Person {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface Requester {
  id: string;
  name: string | null;
  emails: string[];
  phones: string[];
  language: Language | null;
  vip: boolean;
}

export interface Watcher {
  email?: string;
  phone?: string;
}

export interface TicketEvent {
  type: string;
  at: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface TicketMessage {
  direction: 'in' | 'out';
  channel: Channel;
  from: string | null;
  to: string | null;
  subject?: string;
  body: string;
  at: string;
  externalId: string;
  status?: string;
}

export interface Ticket {
  id: string;
  number: number;
  reference: string;
  channel: Channel;
  status: TicketStatus;
  priority: Priority;
  impact: Level;
  urgency: Level;
  category: string | null;
  tier: Tier;
  subject: string;
  description: string;
  requester: Person;
  assignee: { id: string; name: string } | null;
  watchers: Watcher[];
  sla: { respondBy: string | null; resolveBy: string | null; respondedAt: string | null; breached: boolean };
  outageId: string | null;
  linkedTicketId: string | null;
  resolution: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

/** The problem a ticket is an incident of, as the ticket shows it. */
export interface ProblemRef {
  id: string;
  title: string;
  status: 'open' | 'known_error' | 'resolved';
}

export interface TicketDetail extends Ticket {
  events: TicketEvent[];
  messages: TicketMessage[];
  /** The problem this ticket is an incident of (issue #16), or null. */
  problem: ProblemRef | null;
}

/** Who made a change: shown in the event log as `actor`. */
export type Actor =
  { kind: 'coordinator' } | { kind: 'technician'; id: string } | { kind: 'requester'; id: string } | { kind: 'system'; name: string };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'coordinator':
      return 'coordinator';
    case 'technician':
      return `technician:${actor.id}`;
    case 'requester':
      return `requester:${actor.id}`;
    case 'system':
      return `system:${actor.name}`;
  }
}

export interface Technician {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  language: Language;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  available: boolean;
  onCall: boolean;
  shift?: string;
}

/** An outage's title and message in another language than the one it was written in. */
export type OutageTranslations = Partial<Record<Language, { title: string; message: string }>>;

export interface Outage {
  id: string;
  title: string;
  message: string;
  /** Present when the coordinator gave the outage's text in other languages. */
  translations?: OutageTranslations;
  /** Tickets of this category are the ones it concerns; absent: those whose text resembles it (notify/outage-relevance.ts). */
  category?: string;
  since: string;
  until?: string;
}

import type { Channel, Language, Level, Priority, Tier, TicketStatus, TicketType } from './values.js';

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
  type: TicketType;
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
  /** The request a child task belongs to (#17), or null. */
  parentId: string | null;
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

/** Who is asked to approve a request: any of the three may be missing, never all. */
export interface ApproverContact {
  name?: string;
  email?: string;
  phone?: string;
}

export type ApprovalDecision = 'approved' | 'rejected';
export type ApprovalVia = 'link' | 'sms' | 'api';
export type ApprovalRule = 'any' | 'all';

export interface ApprovalInfo {
  id: string;
  approver: ApproverContact;
  decision: ApprovalDecision | null;
  via: ApprovalVia | null;
  comment: string | null;
  at: string | null;
}

/** What a service request asked for and who answered (#17); children are the numbers of its tasks. */
export interface RequestInfo {
  item: { id: string; name: string };
  fields: Record<string, string | number | boolean>;
  approval: ApprovalRule;
  approvals: ApprovalInfo[];
  children: number[];
}

export interface TicketDetail extends Ticket {
  events: TicketEvent[];
  messages: TicketMessage[];
  /** The problem this ticket is an incident of (issue #16), or null. */
  problem: ProblemRef | null;
  /** The request's item, fields and approvals when the ticket is a request, else null. */
  request: RequestInfo | null;
}

/** Who made a change: shown in the event log as `actor`. */
export type Actor =
  | { kind: 'coordinator' }
  | { kind: 'technician'; id: string }
  | { kind: 'requester'; id: string }
  | { kind: 'system'; name: string }
  /** `who`: the approver's email or phone, as they were asked. */
  | { kind: 'approver'; who: string };

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
    case 'approver':
      return `approver:${actor.who}`;
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

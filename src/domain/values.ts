/** The vocabulary of the desk, shared by every room. Values are the ones of the public contract. */

export const CHANNELS = ['voice', 'email', 'sms', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

/** `awaiting_approval` comes first: a service request waits there, unrouted and without SLA clocks, until approved (#17). */
export const STATUSES = ['awaiting_approval', 'new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

/** An incident is something broken; a request is something asked for from the catalog (#17). */
export const TICKET_TYPES = ['incident', 'request'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const LEVELS = ['high', 'medium', 'low'] as const;
/** Impact and urgency share one scale. */
export type Level = (typeof LEVELS)[number];

export const TIERS = [1, 2, 3] as const;
export type Tier = (typeof TIERS)[number];

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function reference(number: number | string): string {
  return `HD-${number}`;
}

/** The vocabulary of the desk, shared by every room. Values are the ones of the public contract. */

export const CHANNELS = ['voice', 'email', 'sms', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];

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

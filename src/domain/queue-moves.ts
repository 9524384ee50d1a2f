/**
 * The events that move a ticket into or out of routing's queue. The latest of them says where it
 * stands: `queued` means routing looked and found nobody eligible, and the ticket waits for
 * someone to become available (routing's history and the console's queue both read it so).
 */
export const QUEUE_MOVES = ['assigned', 'declined', 'offer_expired', 'queued', 'unassigned', 'escalated', 'reopened'] as const;

import type { TicketStatus } from '../domain/values.js';
import { AppError } from '../errors.js';

/**
 * The ticket's states and the moves between them: `new → assigned → in_progress → pending →
 * resolved → closed`, with reopening from resolved or closed. Pure: the use cases ask here before
 * they write anything.
 */
const MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  // A request waiting for its approvers leaves only by their answer: approved → new, rejected → closed (#17).
  awaiting_approval: ['new', 'closed'],
  new: ['assigned', 'in_progress', 'pending', 'resolved'],
  assigned: ['new', 'assigned', 'in_progress', 'pending', 'resolved'],
  in_progress: ['new', 'assigned', 'pending', 'resolved'],
  pending: ['new', 'assigned', 'in_progress', 'resolved'],
  // Leaving resolved or closed for an open state is a reopen, recorded as such.
  resolved: ['closed', 'new', 'assigned', 'in_progress'],
  closed: ['new', 'assigned', 'in_progress'],
};

export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'assigned', 'in_progress', 'pending'];

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export function canMove(from: TicketStatus, to: TicketStatus): boolean {
  return MOVES[from].includes(to);
}

export function assertMove(from: TicketStatus, to: TicketStatus): void {
  if (!canMove(from, to)) {
    const allowed = MOVES[from].join(', ');
    throw new AppError('ILLEGAL_TRANSITION', `a ${from} ticket cannot become ${to}; from ${from} it can become: ${allowed}`, {
      from,
      to,
    });
  }
}

/**
 * A request waiting for its approvers is decided only by them or a coordinator's approve/reject
 * (tickets/approvals.ts): no status move, assignment or escalation takes it out of the wait (#17).
 */
export function assertNotAwaitingApproval(status: TicketStatus): void {
  if (status === 'awaiting_approval') {
    throw new AppError(
      'ILLEGAL_TRANSITION',
      'this request is awaiting approval: approve or reject it (POST /api/tickets/:id/approve or /reject)',
      {
        from: status,
      },
    );
  }
}

export function isReopen(from: TicketStatus, to: TicketStatus): boolean {
  return (from === 'resolved' || from === 'closed') && isOpen(to);
}

/** Resolving needs a note that says what was done: the requester reads it, the next technician too. */
export function assertResolution(resolution: string | undefined | null): string {
  const note = (resolution ?? '').trim();
  if (note === '') {
    throw new AppError('RESOLUTION_REQUIRED', 'resolving a ticket needs a non-empty resolution note', {
      field: 'resolution',
    });
  }
  return note;
}

/** Where a reopened ticket lands: back with its technician when it has one. */
export function reopenedStatus(hasAssignee: boolean): TicketStatus {
  return hasAssignee ? 'assigned' : 'new';
}

/** Where a ticket's SLA clocks count from: its creation, or a request's approval (#17). */
export function clocksStart(ticket: { createdAt: Date; clocksStartedAt: Date | null }): Date {
  return ticket.clocksStartedAt ?? ticket.createdAt;
}

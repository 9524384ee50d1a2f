import type { Level, Priority, TicketStatus } from '../domain/values.js';
import { AppError } from '../errors.js';
import { escalate } from './escalation.js';
import { assertMove, assertNotAwaitingApproval, assertResolution, clocksStart, isReopen, reopenedStatus } from './lifecycle.js';
import { applyChange, ticketIdOrThrow } from './apply-change.js';
import type { TicketChanges, TicketState } from '../store/ticket-repository.js';
import { actorLabel, type Actor, type Ticket } from '../domain/ticket.js';
import type { TicketDeps } from './deps.js';
import type { Decision } from './write-change.js';

/**
 * The ticket's use cases, each a short story over `applyChange`. The API, the technicians' SMS
 * commands and routing all come through here, so a rule holds whichever way a change arrives.
 */

/** A technician works only the tickets assigned to them; coordinators and the system work any. */
export function assertMayWork(actor: Actor, ticket: TicketState): void {
  if (actor.kind === 'technician' && ticket.assigneeId !== actor.id) {
    throw new AppError('FORBIDDEN', 'this ticket is not assigned to you');
  }
}

async function change(deps: TicketDeps, key: string, actor: Actor, decide: (t: TicketState, now: Date) => Decision) {
  const id = await ticketIdOrThrow(deps, key);
  return applyChange(deps, id, actorLabel(actor), (ticket, now) => {
    assertMayWork(actor, ticket);
    return decide(ticket, now);
  });
}

/** A plain status move (`PATCH {status}`), with what each state implies. */
export function moveDecision(ticket: TicketState, to: TicketStatus, now: Date): Decision {
  if (to === 'resolved') {
    throw new AppError('RESOLUTION_REQUIRED', 'resolve through POST /api/tickets/:id/resolve with a resolution note', {
      field: 'resolution',
    });
  }
  if (isReopen(ticket.status, to)) return reopenDecision(ticket, now, undefined, to);
  assertNotAwaitingApproval(ticket.status);
  assertMove(ticket.status, to);
  const changes: TicketChanges = { status: to };
  const notify: Decision['notify'] = [];
  if (to === 'in_progress' && !ticket.respondedAt) changes.respondedAt = now;
  if (to === 'new') changes.assigneeId = null;
  if (to === 'pending') {
    changes.pausedAt = now;
    notify.push('requester.pending');
  }
  if (ticket.status === 'pending' && to !== 'pending') Object.assign(changes, resumeClock(ticket, now));
  if (to === 'closed') {
    changes.closedAt = now;
    notify.push('requester.closed');
  }
  return { changes, events: [{ type: 'status_changed', data: { from: ticket.status, to } }], notify };
}

/** Leaving `pending` restarts the SLA clock; the paused time pushes the due dates out. */
function resumeClock(ticket: TicketState, now: Date): TicketChanges {
  if (!ticket.pausedAt) return {};
  const paused = Math.max(0, Math.round((now.getTime() - ticket.pausedAt.getTime()) / 1000));
  const shift = (d: Date | null) => (d ? new Date(d.getTime() + paused * 1000) : null);
  return {
    pausedAt: null,
    pausedSeconds: ticket.pausedSeconds + paused,
    resolveBy: shift(ticket.resolveBy),
    ...(ticket.respondedAt ? {} : { respondBy: shift(ticket.respondBy) }),
  };
}

function reopenDecision(ticket: TicketState, now: Date, reason: string | undefined, to?: TicketStatus): Decision {
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') {
    throw new AppError('ILLEGAL_TRANSITION', `only a resolved or closed ticket can be reopened; this one is ${ticket.status}`);
  }
  // A rejected request (closed without being resolved) is not worked without approval: reopened,
  // by a reply to its rejection say, it waits for a decision again (#17).
  const rejected = ticket.type === 'request' && ticket.status === 'closed' && ticket.resolvedAt === null;
  const status = rejected ? 'awaiting_approval' : (to ?? reopenedStatus(ticket.assigneeId !== null));
  if (!rejected) assertMove(ticket.status, status);
  return {
    changes: {
      status,
      resolvedAt: null,
      closedAt: null,
      reopens: ticket.reopens + 1,
      ...(status === 'new' ? { assigneeId: null } : {}),
    },
    events: [{ type: 'reopened', data: { from: ticket.status, to: status, ...(reason ? { reason } : {}) } }],
  };
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: Priority;
  impact?: Level;
  urgency?: Level;
  category?: string | null;
  assigneeId?: string | null;
}

export async function updateTicket(deps: TicketDeps, key: string, patch: TicketPatch, actor: Actor): Promise<Ticket> {
  if (patch.assigneeId !== undefined && actor.kind === 'technician') {
    throw new AppError('FORBIDDEN', 'only a coordinator assigns tickets; decline it to hand it back');
  }
  if (patch.assigneeId) {
    const technician = await deps.store.technicians.get(patch.assigneeId);
    if (!technician) throw new AppError('VALIDATION_FAILED', 'assigneeId: no such technician', { field: 'assigneeId' });
  }
  return change(deps, key, actor, (ticket, now) => {
    const changes: TicketChanges = {};
    const events: Decision['events'] = [];
    const notify: NonNullable<Decision['notify']> = [];
    let technicianId: string | undefined;

    const fields = ['impact', 'urgency', 'priority', 'category'] as const;
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of fields) {
      if (patch[field] !== undefined && patch[field] !== ticket[field]) {
        before[field] = ticket[field];
        after[field] = patch[field];
      }
    }
    Object.assign(changes, after);
    // A person re-rating impact or urgency re-derives the priority unless they set it too.
    if (patch.priority === undefined && (after.impact || after.urgency)) {
      const priority = deps.policy.priorityOf(patch.impact ?? ticket.impact, patch.urgency ?? ticket.urgency);
      if (priority !== ticket.priority) ((before.priority = ticket.priority), (after.priority = changes.priority = priority));
    }
    // A request awaiting approval has no clocks yet: they start when it is approved (#17).
    if (changes.priority && ticket.status !== 'awaiting_approval') {
      Object.assign(changes, deps.policy.slaDue(clocksStart(ticket), changes.priority, ticket.type));
    }
    if (Object.keys(after).length > 0) events.push({ type: 'updated', data: { before, after } });

    if (patch.assigneeId !== undefined && patch.assigneeId !== ticket.assigneeId) {
      const d = patch.assigneeId
        ? offerDecision(ticket, patch.assigneeId, now, { reason: 'assigned by a coordinator' })
        : unassignDecision(ticket);
      Object.assign(changes, d.changes);
      events.push(...d.events);
      notify.push(...(d.notify ?? []));
      technicianId = d.technicianId;
    } else if (patch.status !== undefined && patch.status !== ticket.status) {
      const d = moveDecision({ ...ticket, ...changes }, patch.status, now);
      Object.assign(changes, d.changes);
      events.push(...d.events);
      notify.push(...(d.notify ?? []));
    }
    return { changes, events, notify, ...(technicianId ? { technicianId } : {}) };
  });
}

/** An assignment is an offer: the technician has it, and says ACCEPT or DECLINE. */
export function offerDecision(ticket: TicketState, technicianId: string, now: Date, why: Record<string, unknown>): Decision {
  assertNotAwaitingApproval(ticket.status);
  if (ticket.status === 'resolved' || ticket.status === 'closed') {
    throw new AppError('ILLEGAL_TRANSITION', `a ${ticket.status} ticket cannot be assigned; reopen it first`);
  }
  return {
    changes: {
      status: 'assigned',
      assigneeId: technicianId,
      offeredAt: now,
      reassignments: isReassignment(ticket, technicianId) ? ticket.reassignments + 1 : ticket.reassignments,
      ...(ticket.firstAssigneeId === null ? { firstAssigneeId: technicianId } : {}),
    },
    events: [{ type: 'assigned', data: { technicianId, previous: ticket.assigneeId, ...why } }],
    notify: ['technician.offer'],
    technicianId,
  };
}

/**
 * An offer to anyone but the ticket's first assignee is a reassignment, whether it takes the ticket
 * from a technician or finds it back with nobody after a decline or an expired offer: first-contact
 * resolution (store/stats-series.ts) counts only tickets never reassigned.
 */
function isReassignment(ticket: TicketState, technicianId: string): boolean {
  if (ticket.assigneeId !== null && ticket.assigneeId !== technicianId) return true;
  return ticket.firstAssigneeId !== null && ticket.firstAssigneeId !== technicianId;
}

function unassignDecision(ticket: TicketState): Decision {
  return {
    changes: { status: 'new', assigneeId: null, offeredAt: null },
    events: [{ type: 'unassigned', data: { previous: ticket.assigneeId } }],
  };
}

export async function addNote(deps: TicketDeps, key: string, body: string, internal: boolean, actor: Actor): Promise<Ticket> {
  return change(deps, key, actor, () => ({ changes: {}, events: [{ type: 'note', data: { body, internal } }] }));
}

export async function escalateTicket(deps: TicketDeps, key: string, reason: string, actor: Actor): Promise<Ticket> {
  return change(deps, key, actor, (ticket) => escalationDecision(deps, ticket, reason));
}

export function escalationDecision(deps: TicketDeps, ticket: TicketState, reason: string): Decision {
  assertNotAwaitingApproval(ticket.status);
  if (ticket.status === 'resolved' || ticket.status === 'closed') {
    throw new AppError('ILLEGAL_TRANSITION', `a ${ticket.status} ticket cannot be escalated; reopen it first`);
  }
  const { tier, priority } = escalate(ticket);
  const next = { tier, priority };
  // Back to routing at the new tier: a specialist of that tier gets it.
  return {
    changes: {
      tier: next.tier,
      priority: next.priority,
      ...deps.policy.slaDue(clocksStart(ticket), next.priority, ticket.type),
      status: 'new',
      assigneeId: null,
      offeredAt: null,
      escalations: ticket.escalations + 1,
    },
    events: [
      {
        type: 'escalated',
        data: { reason, from: { tier: ticket.tier, priority: ticket.priority }, to: next, previousAssignee: ticket.assigneeId },
      },
    ],
    notify: ['requester.escalated', 'coordinator.escalation'],
  };
}

/** `solvedBy.articleId`: the knowledge base's article that solved it, named in the event (#16). */
export async function resolveTicket(
  deps: TicketDeps,
  key: string,
  resolution: string | undefined,
  actor: Actor,
  solvedBy: { articleId?: string | undefined } = {},
): Promise<Ticket> {
  const note = assertResolution(resolution);
  const { articleId } = solvedBy;
  if (articleId && !(await deps.store.articles.get(articleId))) {
    throw new AppError('VALIDATION_FAILED', `articleId: no article ${articleId}`, { field: 'articleId' });
  }
  return change(deps, key, actor, (ticket, now) => resolveDecision(ticket, now, note, articleId ? { articleId } : {}));
}

/**
 * Resolved with `note`, the requester told (the note is in their message); `more` joins the event's
 * data, to say how it was resolved (its problem's resolution, say).
 */
export function resolveDecision(ticket: TicketState, now: Date, note: string, more: Record<string, unknown> = {}): Decision {
  assertMove(ticket.status, 'resolved');
  return {
    changes: {
      status: 'resolved',
      resolution: note,
      resolvedAt: now,
      respondedAt: ticket.respondedAt ?? now,
      ...(ticket.status === 'pending' ? resumeClock(ticket, now) : {}),
    },
    events: [{ type: 'resolved', data: { resolution: note, ...more } }],
    notify: ['requester.resolved'],
  };
}

export async function closeTicket(deps: TicketDeps, key: string, actor: Actor): Promise<Ticket> {
  return change(deps, key, actor, (ticket, now) => {
    if (ticket.status !== 'resolved') {
      throw new AppError('ILLEGAL_TRANSITION', `only a resolved ticket can be closed; this one is ${ticket.status}`);
    }
    return moveDecision(ticket, 'closed', now);
  });
}

export async function reopenTicket(deps: TicketDeps, key: string, reason: string | undefined, actor: Actor): Promise<Ticket> {
  return change(deps, key, actor, (ticket, now) => reopenDecision(ticket, now, reason));
}

export async function acceptTicket(deps: TicketDeps, key: string, technicianId: string): Promise<Ticket> {
  return change(deps, key, { kind: 'technician', id: technicianId }, (ticket, now) => {
    if (ticket.status !== 'assigned') {
      throw new AppError('ILLEGAL_TRANSITION', `only an offered ticket can be accepted; this one is ${ticket.status}`);
    }
    return {
      changes: { status: 'in_progress', respondedAt: ticket.respondedAt ?? now },
      events: [{ type: 'accepted', data: { technicianId } }],
      notify: ['requester.assigned'],
    };
  });
}

export async function declineTicket(deps: TicketDeps, key: string, technicianId: string, reason?: string): Promise<Ticket> {
  return change(deps, key, { kind: 'technician', id: technicianId }, (ticket) => {
    if (ticket.status !== 'assigned') {
      throw new AppError('ILLEGAL_TRANSITION', `only an offered ticket can be declined; this one is ${ticket.status}`);
    }
    return {
      changes: { status: 'new', assigneeId: null, offeredAt: null },
      events: [{ type: 'declined', data: { technicianId, ...(reason ? { reason } : {}) } }],
    };
  });
}

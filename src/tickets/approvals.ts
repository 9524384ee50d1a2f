import type { ApprovalDecision, ApprovalRule, ApprovalVia } from '../domain/ticket.js';
import { reference } from '../domain/values.js';
import { AppError } from '../errors.js';
import type { Approval } from '../store/approval-repository.js';
import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import { openChildTasks } from './children.js';
import { within, type TicketDeps } from './deps.js';
import { tellListeners, writeChange, type Decision } from './write-change.js';

/**
 * The approvers' answers to a service request (#17), and a coordinator's decision in their place.
 * Every answer is an `approval` event naming who, how and when; the first decisive one wins:
 * `any`, the first answer decides; `all`, every approver must approve and one rejection rejects.
 * Approved, the request becomes `new` (routing takes it, its SLA clocks start, its tasks open);
 * rejected, it is closed and the requester told why.
 */

export type ApprovalAnswer = { decision: ApprovalDecision; via: ApprovalVia; comment?: string };

/** `counted`: this approval approved, others still pending (`all`); `settled`: decided already, nothing changed. */
export type ApprovalOutcome = 'approved' | 'rejected' | 'counted' | 'settled';

/** The answer with its comment trimmed; a rejection says why (the requester reads it). */
function checkAnswer(answer: ApprovalAnswer): { decision: ApprovalDecision; via: ApprovalVia; comment: string | null } {
  const comment = answer.comment?.trim() || null;
  if (answer.decision === 'rejected' && !comment) {
    throw new AppError('COMMENT_REQUIRED', 'rejecting a request needs a comment saying why: the requester is told', { field: 'comment' });
  }
  return { decision: answer.decision, via: answer.via, comment };
}

/**
 * An approver's answer (the email's link, an SMS). The request's row is locked first, so answers
 * to one request queue; the approval is written only if still undecided, so a second answer, or
 * one to a request decided already, is `settled` and changes nothing.
 */
export async function answerApproval(deps: TicketDeps, approvalId: string, answer: ApprovalAnswer): Promise<ApprovalOutcome> {
  const checked = checkAnswer(answer);
  const approval = await deps.store.approvals.get(approvalId);
  if (!approval) throw new AppError('NOT_FOUND', 'no such approval');
  return deps.store.transaction(async (tx) => {
    const ticket = await tx.tickets.lock(approval.ticketId);
    if (!ticket || ticket.status !== 'awaiting_approval') return 'settled';
    if (!(await tx.approvals.decide(approval.id, checked))) return 'settled';
    const request = await tx.approvals.request(ticket.id);
    const outcome = settle(request?.approval ?? 'any', checked.decision, await tx.approvals.forTicket(ticket.id));
    await decide(deps, tx, ticket, outcome, `approver:${who(approval, checked.via)}`, checked);
    return outcome;
  });
}

/**
 * A coordinator decides the request (the API, the console), whatever its rule and whoever has not
 * answered yet. A request not awaiting approval (decided already, or an incident) is a 409.
 */
export async function decideAsCoordinator(deps: TicketDeps, ticketId: string, answer: ApprovalAnswer): Promise<ApprovalOutcome> {
  const checked = checkAnswer(answer);
  return deps.store.transaction(async (tx) => {
    const ticket = await tx.tickets.lock(ticketId);
    if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    if (ticket.status !== 'awaiting_approval') {
      throw new AppError('ILLEGAL_TRANSITION', `${reference(ticket.number)} is not awaiting approval; it is ${ticket.status}`, {
        status: ticket.status,
      });
    }
    const outcome = checked.decision;
    await decide(deps, tx, ticket, outcome, 'coordinator', checked);
    return outcome;
  });
}

/** What the approvals say now that one more answered. */
function settle(rule: ApprovalRule, decision: ApprovalDecision, approvals: readonly Approval[]): Exclude<ApprovalOutcome, 'settled'> {
  if (decision === 'rejected') return 'rejected';
  if (rule === 'any') return 'approved';
  return approvals.every((a) => a.decision === 'approved') ? 'approved' : 'counted';
}

/** The approver as the event names them: by the phone they texted from, else the address they were asked at. */
function who(approval: Approval, via: ApprovalVia): string {
  const { email, phone } = approval.approver;
  return (via === 'sms' ? (phone ?? email) : (email ?? phone)) ?? approval.id;
}

/** The answer as an event, through the change path; the request approved or rejected with it when it decides. */
async function decide(
  deps: TicketDeps,
  tx: Store,
  ticket: TicketState,
  outcome: Exclude<ApprovalOutcome, 'settled'>,
  actor: string,
  answer: { decision: ApprovalDecision; via: ApprovalVia; comment: string | null },
): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const event = {
    type: 'approval',
    data: { decision: answer.decision, via: answer.via, ...(answer.comment ? { comment: answer.comment } : {}) },
  };
  let decision: Decision = { changes: {}, events: [event] };
  if (outcome === 'approved') {
    // Its clocks start now, on the requests' own targets; routing offers it on the `approval` event.
    decision = {
      changes: { status: 'new', clocksStartedAt: now, ...deps.policy.slaDue(now, ticket.priority, 'request') },
      events: [event],
    };
  } else if (outcome === 'rejected') {
    const comment = answer.comment ?? '';
    decision = {
      changes: { status: 'closed', resolution: comment, closedAt: now },
      events: [event],
      notify: ['requester.rejected'],
      extra: { comment },
    };
  }
  await writeChange(deps, tx, ticket, decision, actor);
  // Decided: the answers still awaited are moot (a request reopened after its rejection is the coordinator's to decide).
  if (outcome !== 'counted') await tx.approvals.mootOpen(ticket.id);
  if (outcome === 'approved') {
    const request = await tx.approvals.request(ticket.id);
    const item = request ? await tx.catalog.get(request.itemId) : null;
    if (item) await openChildTasks(within(deps, tx), { ...ticket, ...decision.changes }, item.tasks);
  }
  tx.afterCommit(() => tellListeners(deps, { ticketId: ticket.id, events: ['approval'] }));
}

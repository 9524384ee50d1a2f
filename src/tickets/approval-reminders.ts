import { startSweep } from './sweep.js';
import type { Logger } from '../log.js';
import type { Approval } from '../store/approval-repository.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketDeps } from './deps.js';

/**
 * Approvals nobody answered (#17): HELPDESK_APPROVAL_REMINDER after an approver was asked, they are
 * reminded once, by the channels they were asked on; as long again after the reminder, the
 * coordinator is told once per request that its approval is overdue (and may decide it).
 *
 * A sweep of the worker rather than a timer per approval: an approval waits for hours, a minute
 * late is nothing, and the sweep needs no state of its own beyond the approval's `reminded_at` and
 * `escalated_at`. Several workers may sweep at once: the outbox rows are keyed (a second write is a
 * no-op), so a request's approvers and coordinator hear of it once whoever writes first.
 */

/** How often the worker looks. */
const EVERY_MS = 60_000;

export interface ApprovalReminderContext {
  config: { approvalReminderMs: number };
  log: Logger;
  services: { tickets: TicketDeps };
}

/** One look: reminds and escalates what is due; returns how many approvals it acted on. */
export async function sweepApprovals(deps: TicketDeps, reminderMs: number): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const due = await deps.store.approvals.due(now, reminderMs);
  const toRemind = due.filter((a) => a.remindedAt === null);
  const toEscalate = due.filter((a) => a.remindedAt !== null);
  for (const approval of toRemind) {
    await deps.store.transaction(async (tx) => {
      await tx.outbox.add(reminderRows(approval));
      await tx.approvals.markReminded(approval.id);
    });
  }
  const byRequest = new Map<string, Approval[]>();
  for (const approval of toEscalate) byRequest.set(approval.ticketId, [...(byRequest.get(approval.ticketId) ?? []), approval]);
  for (const [ticketId, approvals] of byRequest) {
    await deps.store.transaction(async (tx) => {
      await tx.outbox.add(overdueRows(deps, ticketId, approvals));
      for (const approval of approvals) await tx.approvals.markEscalated(approval.id);
    });
  }
  return due.length;
}

/** The approver reminded on each channel they were asked on, in their language. */
function reminderRows(approval: Approval): Notification[] {
  const row = (channel: 'email' | 'sms', recipient: string): Notification => ({
    idempotencyKey: `approval-reminder:${approval.id}:${channel}`,
    ticketId: approval.ticketId,
    kind: 'approver.reminder',
    channel,
    recipient,
    language: approval.language,
    payload: { approvalId: approval.id, number: approval.ticketNumber },
  });
  return [
    ...(approval.approver.email ? [row('email', approval.approver.email)] : []),
    ...(approval.approver.phone ? [row('sms', approval.approver.phone)] : []),
  ];
}

/** The coordinator, by email and (when the desk has it) SMS: once per request whatever the approvers. */
function overdueRows(deps: TicketDeps, ticketId: string, approvals: Approval[]): Notification[] {
  const { email, phone } = deps.config.coordinator;
  const askedAt = approvals.reduce((first, a) => (a.askedAt < first ? a.askedAt : first), approvals[0]?.askedAt ?? new Date());
  const row = (channel: 'email' | 'sms', recipient: string): Notification => ({
    idempotencyKey: `approval-overdue:${ticketId}:${channel}`,
    ticketId,
    kind: 'coordinator.approval-overdue',
    channel,
    recipient,
    language: deps.config.language,
    payload: { number: approvals[0]?.ticketNumber, askedAt: askedAt.toISOString() },
  });
  return [...(email ? [row('email', email)] : []), ...(phone ? [row('sms', phone)] : [])];
}

/** The worker's sweep; `everyMs` for tests. */
export function startApprovalReminders(ctx: ApprovalReminderContext, options: { everyMs?: number } = {}): () => Promise<void> {
  const deps = ctx.services.tickets;
  const log = ctx.log.child({ component: 'approval-reminders' });
  return startSweep(log, {
    name: 'approval reminder sweep',
    everyMs: options.everyMs ?? EVERY_MS,
    run: () => sweepApprovals(deps, ctx.config.approvalReminderMs),
    done: { key: 'approvals', message: 'approvals reminded or escalated' },
  });
}

import { reference } from '../domain/values.js';
import type { CatalogTask } from '../store/catalog-repository.js';
import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import type { TicketDeps } from './deps.js';
import { canMove } from './lifecycle.js';
import { recordTickets } from './open-ticket.js';
import { tellListeners, writeChange } from './write-change.js';

/**
 * A request's child tasks (#17): an arrival is an account, a mailbox, a laptop and a badge, each
 * done by its own people. They are tickets of their own, routed each to its category, and the
 * request is resolved when the last of them is.
 */

/** Who resolves a request whose tasks are all done. */
const ACTOR = 'system:requests';

/**
 * Opens the item's tasks for an approved request, in the caller's transaction (`deps` within it):
 * each a request of status `new` naming its parent, routed once the transaction commits. The
 * requester was acknowledged for the request; a task owes them nothing more.
 */
export async function openChildTasks(deps: TicketDeps, parent: TicketState, tasks: readonly CatalogTask[]): Promise<void> {
  if (tasks.length === 0) return;
  const requester = await deps.store.requesters.get(parent.requesterId);
  if (!requester) return;
  const contact = { name: requester.name, email: requester.emails[0] ?? null, phone: requester.phones[0] ?? null };
  await recordTickets(
    deps,
    tasks.map((task) => ({
      channel: parent.channel,
      subject: `${task.title} (${reference(parent.number)})`,
      description: `${task.title}, for ${reference(parent.number)}: ${parent.subject}`,
      requester: contact,
      impact: parent.impact,
      urgency: parent.urgency,
      category: task.category,
      request: { status: 'new' as const, parentId: parent.id },
      notify: [],
      details: { type: 'request', parent: parent.number, task: task.title },
    })),
  );
}

/**
 * After a child task is resolved or closed, in the same transaction: when none of its siblings is
 * still open, the request is resolved, its resolution listing the tasks, once. The request's row is
 * locked first, so two last tasks done at once queue here and the second sees the first's.
 */
export async function resolveParentWhenDone(deps: TicketDeps, tx: Store, parentId: string, now: Date): Promise<void> {
  const parent = await tx.tickets.lock(parentId);
  if (!parent || !canMove(parent.status, 'resolved')) return;
  const children = await tx.approvals.children(parentId);
  if (children.some((c) => c.status !== 'resolved' && c.status !== 'closed')) return;
  const note = ['Every task of this request is done:', ...children.map((c) => `- ${reference(c.number)} ${c.subject}: ${c.status}`)].join(
    '\n',
  );
  await writeChange(
    deps,
    tx,
    parent,
    {
      changes: {
        status: 'resolved',
        resolution: note,
        resolvedAt: now,
        respondedAt: parent.respondedAt ?? now,
        ...(parent.pausedAt ? { pausedAt: null } : {}),
      },
      events: [{ type: 'resolved', data: { resolution: note, via: 'tasks', tasks: children.map((c) => c.number) } }],
      notify: ['requester.resolved'],
    },
    ACTOR,
  );
  tx.afterCommit(() => tellListeners(deps, { ticketId: parentId, events: ['resolved'] }));
}

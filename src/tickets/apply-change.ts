import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { TicketState } from '../store/ticket-repository.js';
import type { Ticket } from '../domain/ticket.js';
import { resolveParentWhenDone } from './children.js';
import type { TicketDeps } from './deps.js';
import { notificationRows, tellListeners, writeChanges, type Decision, type KnownRecipients } from './write-change.js';

/** Decides a change from the locked ticket; may refuse by throwing an AppError. */
export type Decide = (ticket: TicketState, now: Date) => Decision;

/**
 * The only way a ticket changes: lock it, let the use case decide, then write the new state, its
 * events and the notifications they cause in one transaction. Listeners hear of it after commit.
 */
export async function applyChange(deps: TicketDeps, ticketId: string, actor: string, decide: Decide): Promise<Ticket> {
  const [after] = await changeTickets(deps, [{ ticketId, actor, decide }]);
  if (!after) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
  const ticket = await deps.store.tickets.get(ticketId);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
  return ticket;
}

export interface TicketChange {
  ticketId: string;
  actor: string;
  decide: Decide;
}

/**
 * applyChange for many changes in one transaction (a backlog of replies), without reading the
 * tickets back as the API shows them: the tickets locked together in id order, each change deciding
 * from the ticket as the changes before it left it. The changed states come back in the order given.
 * A caller that locked the tickets already in this transaction (`deps` within it) passes them as `locked`.
 */
export async function changeTickets(
  deps: TicketDeps,
  changes: readonly TicketChange[],
  locked?: ReadonlyMap<string, TicketState>,
): Promise<TicketState[]> {
  const now = deps.now?.() ?? new Date();
  return deps.store.transaction(async (tx) => {
    const current = new Map(locked ?? (await tx.tickets.lockMany(changes.map((c) => c.ticketId))));
    const decided = changes.map((change) => {
      const state = current.get(change.ticketId);
      if (!state) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
      const decision = change.decide(state, now);
      const changed: TicketState = { ...state, ...decision.changes };
      current.set(change.ticketId, changed);
      return { change, decision, before: state, changed };
    });
    await writeFolded(deps, tx, foldWrites(decided));
    // A request's last task done resolves the request (#17), in the same unit of work.
    const parents = new Set(
      decided.flatMap(({ before, changed }) => (isDone(changed) && !isDone(before) && changed.parentId ? [changed.parentId] : [])),
    );
    for (const parentId of parents) await resolveParentWhenDone(deps, tx, parentId, now);
    for (const { change, decision } of decided) {
      const events = decision.events.map((e) => e.type);
      tx.afterCommit(() => tellListeners(deps, { ticketId: change.ticketId, events }));
    }
    return decided.map((d) => d.changed);
  });
}

const isDone = (ticket: TicketState) => ticket.status === 'resolved' || ticket.status === 'closed';

/** One write: a ticket's state before it, what it decides, and who decided. */
interface FoldedWrite {
  ticketId: string;
  actor: string;
  before: TicketState;
  decision: Decision;
}

/**
 * The changes to one ticket by one actor, one after the other, are one write: their changes merged
 * in order, their events in order. A change that owes notifications ends its write, since its
 * notifications are keyed by its own last event and addressed from the ticket as it left it.
 */
function foldWrites(decided: readonly { change: TicketChange; decision: Decision; before: TicketState }[]): FoldedWrite[] {
  const writes: FoldedWrite[] = [];
  const open = new Map<string, FoldedWrite>();
  for (const { change, decision, before } of decided) {
    let write = open.get(change.ticketId);
    if (write && write.actor === change.actor) {
      const { changes, events } = write.decision;
      write.decision = { ...decision, changes: { ...changes, ...decision.changes }, events: [...events, ...decision.events] };
    } else {
      write = { ticketId: change.ticketId, actor: change.actor, before, decision };
      writes.push(write);
    }
    if (decision.notify?.length) open.delete(change.ticketId);
    else open.set(change.ticketId, write);
  }
  return writes;
}

/**
 * The writes through writeChanges, together. Notifications are keyed by their cause, whose id is taken before
 * the write; when one is owed, the ids of every event of the batch are taken in one round trip, in
 * order, so that a ticket's history keeps the order of its changes.
 */
async function writeFolded(deps: TicketDeps, tx: Store, writes: readonly FoldedWrite[]): Promise<void> {
  const owed = writes.some((w) => w.decision.notify?.length);
  const ids = owed ? await tx.writer.takeEventIds(writes.reduce((n, w) => n + w.decision.events.length, 0)) : [];
  let taken = 0;
  await writeChanges(
    deps,
    tx,
    writes.map((write) => ({
      state: write.before,
      decision: write.decision,
      actor: write.actor,
      hints: { eventIds: ids.slice(taken, (taken += write.decision.events.length)) },
    })),
  );
}

/** The notifications a change owes outside a decision (a reply's cause is its message row), into the outbox. */
export async function queueNotifications(
  deps: TicketDeps,
  tx: Store,
  state: Parameters<typeof notificationRows>[2],
  causeId: string,
  decision: Parameters<typeof notificationRows>[4],
  known?: KnownRecipients,
): Promise<void> {
  await tx.outbox.add(await notificationRows(deps, tx, state, causeId, decision, known));
}

/** A ticket's id from the `:id` of a URL or an SMS: its number or its reference. */
export async function ticketIdOrThrow(deps: TicketDeps, key: string): Promise<string> {
  const id = await deps.store.tickets.idByKey(key);
  if (!id) throw new AppError('TICKET_NOT_FOUND', `ticket ${key} does not exist`);
  return id;
}

import type { Transaction } from 'sequelize';
import { queueNotifications, type Decision } from '../tickets/apply-change.js';
import type { TicketDeps, TicketListener } from '../tickets/deps.js';
import type { TicketState } from '../store/ticket-repository.js';

/** The decision's payload for the notifications: extra facts for the templates (a breach's clock). */
export type RoutingDecision = Decision & { extra?: Record<string, unknown> };

/**
 * What applyChange does inside its transaction, for routing's own transactions (which lock more
 * than the ticket): the new state, its events and the notifications they cause, all in `tx`.
 * Returns the types of the events written, for the listeners told after the commit.
 */
export async function writeDecision(
  deps: TicketDeps,
  state: TicketState,
  decision: RoutingDecision,
  actor: string,
  tx: Transaction,
): Promise<{ events: string[]; state: TicketState }> {
  if (Object.keys(decision.changes).length > 0) await deps.store.tickets.update(state.id, decision.changes, tx);
  const events: string[] = [];
  let causeId = '';
  for (const event of decision.events) {
    causeId = await deps.store.tickets.appendEvent(state.id, event.type, actor, event.data ?? {}, tx);
    events.push(event.type);
  }
  const next = { ...state, ...decision.changes } as TicketState;
  if (decision.notify?.length) await queueNotifications(deps, next, causeId, decision, tx);
  return { events, state: next };
}

/** After the commit, as applyChange does: every listener hears of the change (but `except`). */
export function tellListeners(deps: TicketDeps, ticketId: string, events: readonly string[], except?: TicketListener): void {
  if (events.length === 0) return;
  for (const listener of deps.listeners ?? []) {
    if (listener === except) continue;
    try {
      listener({ ticketId, events: [...events] });
    } catch (err) {
      deps.log.error({ err, ticketId }, 'a ticket listener failed');
    }
  }
}

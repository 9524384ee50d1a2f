import type { Transaction } from 'sequelize';
import { AppError } from '../errors.js';
import { notificationsFor, type NotificationKind, type RecipientContext } from './recipients.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketChanges, TicketState } from '../store/ticket-repository.js';
import type { Ticket } from '../domain/ticket.js';
import type { TicketDeps } from './deps.js';

export interface Decision {
  changes: TicketChanges;
  events: { type: string; data?: Record<string, unknown> }[];
  /** Owed notifications; their cause is the decision's last event. */
  notify?: NotificationKind[];
  /** The technician a `technician.offer` goes to. */
  technicianId?: string;
}

/** Decides a change from the locked ticket; may refuse by throwing an AppError. */
export type Decide = (ticket: TicketState, now: Date) => Decision;

/**
 * The only way a ticket changes: lock it, let the use case decide, then write the new state, its
 * events and the notifications they cause in one transaction. Listeners hear of it after commit.
 */
export async function applyChange(deps: TicketDeps, ticketId: string, actor: string, decide: Decide): Promise<Ticket> {
  await changeTicket(deps, ticketId, actor, decide);
  const ticket = await deps.store.tickets.get(ticketId);
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
  return ticket;
}

/** applyChange without reading the ticket back as the API shows it: the locked row as changed. */
export async function changeTicket(deps: TicketDeps, ticketId: string, actor: string, decide: Decide): Promise<TicketState> {
  const [after] = await changeTickets(deps, [{ ticketId, actor, decide }]);
  if (!after) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
  return after;
}

export interface TicketChange {
  ticketId: string;
  actor: string;
  decide: Decide;
}

/**
 * changeTicket for many changes in one transaction (a backlog of replies): the tickets locked
 * together in id order, each change deciding from the ticket as the changes before it left it, the
 * events written a statement at a time for all tickets. The changed states come back in the order given.
 * A caller that locked the tickets already in this transaction (`deps` joined to it) passes them as `locked`.
 */
export async function changeTickets(
  deps: TicketDeps,
  changes: readonly TicketChange[],
  locked?: ReadonlyMap<string, TicketState>,
): Promise<TicketState[]> {
  const now = deps.now?.() ?? new Date();
  const heard: { ticketId: string; events: string[] }[] = [];
  const after = await deps.store.transaction(async (tx) => {
    const current = new Map(
      locked ??
        (await deps.store.tickets.lockMany(
          changes.map((c) => c.ticketId),
          tx,
        )),
    );
    const decided = changes.map((change) => {
      const state = current.get(change.ticketId);
      if (!state) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
      const decision = change.decide(state, now);
      const changed: TicketState = { ...state, ...decision.changes };
      current.set(change.ticketId, changed);
      return { change, decision, changed };
    });
    const updates = new Map<string, TicketChanges>();
    for (const { change, decision } of decided) {
      if (Object.keys(decision.changes).length > 0) updates.set(change.ticketId, { ...updates.get(change.ticketId), ...decision.changes });
    }
    for (const [ticketId, update] of updates) await deps.store.tickets.update(ticketId, update, tx);

    // appendEvents takes one event per ticket: the k-th events of every ticket go together, in order.
    const perTicket = new Map<string, { i: number; event: Decision['events'][number] }[]>();
    decided.forEach(({ change, decision }, i) => {
      const queue = perTicket.get(change.ticketId) ?? [];
      for (const event of decision.events) queue.push({ i, event });
      perTicket.set(change.ticketId, queue);
    });
    const causes = decided.map(() => '');
    for (let k = 0; ; k++) {
      const round = [...perTicket].flatMap(([ticketId, queue]) => {
        const entry = queue[k];
        return entry ? [{ ...entry, ticketId }] : [];
      });
      if (round.length === 0) break;
      const ids = await deps.store.tickets.appendEvents(
        round.map(({ ticketId, i, event }) => ({ ticketId, type: event.type, actor: decided[i]!.change.actor, data: event.data ?? {} })),
        tx,
      );
      round.forEach(({ i }, j) => (causes[i] = ids[j] ?? ''));
    }
    for (const [i, { change, decision, changed }] of decided.entries()) {
      if (decision.notify?.length) await queueNotifications(deps, changed, causes[i] ?? '', decision, tx);
      heard.push({ ticketId: change.ticketId, events: decision.events.map((e) => e.type) });
    }
    return decided.map((d) => d.changed);
  });
  for (const change of heard) for (const listener of deps.listeners ?? []) listener(change);
  return after;
}

/** Who a change's notifications go to, when the caller has read them already. */
export type KnownRecipients = Partial<Pick<RecipientContext, 'requester' | 'watchers' | 'technician'>>;

export async function queueNotifications(
  deps: TicketDeps,
  state: NotifiedState,
  causeId: string,
  decision: NotifiedDecision,
  tx: Transaction,
  known?: KnownRecipients,
): Promise<void> {
  await deps.store.outbox.add(await notificationRows(deps, state, causeId, decision, tx, known), tx);
}

type NotifiedState = Pick<
  TicketState,
  'id' | 'number' | 'channel' | 'subject' | 'priority' | 'category' | 'resolution' | 'requesterId' | 'assigneeId'
>;
type NotifiedDecision = Pick<Decision, 'notify' | 'technicianId'> & { extra?: Record<string, unknown> };

/** The outbox rows a change owes, for a caller that writes them itself; reads only the recipients not `known`. */
export async function notificationRows(
  deps: TicketDeps,
  state: NotifiedState,
  causeId: string,
  decision: NotifiedDecision,
  tx: Transaction,
  known: KnownRecipients = {},
): Promise<Notification[]> {
  const watchers = known.watchers ?? (await deps.store.tickets.get(state.id, tx))?.watchers;
  const requester = known.requester ?? (await deps.store.requesters.get(state.requesterId, tx));
  if (!watchers || !requester) return [];
  const technicianId = decision.technicianId ?? state.assigneeId;
  // A technician passed in stands only if it is the one the notifications are about.
  const technician =
    known.technician !== undefined && (known.technician?.id ?? null) === technicianId
      ? known.technician
      : technicianId
        ? await deps.store.technicians.get(technicianId, tx)
        : null;
  const ctx: RecipientContext = {
    causeId,
    ticket: {
      id: state.id,
      number: state.number,
      channel: state.channel,
      subject: state.subject,
      priority: state.priority,
      category: state.category,
      resolution: state.resolution,
    },
    requester,
    watchers,
    technician,
    coordinator: deps.config.coordinator,
    defaultLanguage: deps.config.language,
    ...(decision.extra ? { extra: decision.extra } : {}),
  };
  return (decision.notify ?? []).flatMap((kind) => notificationsFor(kind, ctx));
}

/** A ticket's id from the `:id` of a URL or an SMS: its number or its reference. */
export async function ticketIdOrThrow(deps: TicketDeps, key: string): Promise<string> {
  const id = await deps.store.tickets.idByKey(key);
  if (!id) throw new AppError('TICKET_NOT_FOUND', `ticket ${key} does not exist`);
  return id;
}

import type { Transaction } from 'sequelize';
import { AppError } from '../errors.js';
import { notificationsFor, type NotificationKind, type RecipientContext } from '../notify/recipients.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketChanges, TicketState } from '../store/ticket-repository.js';
import type { Ticket } from './types.js';
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
  const now = deps.now?.() ?? new Date();
  const eventTypes: string[] = [];
  const after = await deps.store.transaction(async (tx) => {
    const state = await deps.store.tickets.lock(ticketId, tx);
    if (!state) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
    const decision = decide(state, now);
    if (Object.keys(decision.changes).length > 0) await deps.store.tickets.update(ticketId, decision.changes, tx);
    let causeId = '';
    for (const event of decision.events) {
      causeId = await deps.store.tickets.appendEvent(ticketId, event.type, actor, event.data ?? {}, tx);
      eventTypes.push(event.type);
    }
    const changed: TicketState = { ...state, ...decision.changes };
    if (decision.notify?.length) await queueNotifications(deps, changed, causeId, decision, tx);
    return changed;
  });
  for (const listener of deps.listeners ?? []) listener({ ticketId, events: eventTypes });
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

type NotifiedState = Pick<TicketState, 'id' | 'number' | 'channel' | 'subject' | 'priority' | 'category' | 'resolution' | 'requesterId' | 'assigneeId'>;
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

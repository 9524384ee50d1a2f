import type { Store } from '../store/index.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketChanges, TicketState } from '../store/ticket-repository.js';
import type { TicketWrite } from '../store/ticket-writer.js';
import type { TicketChange, TicketDeps, TicketListener } from './deps.js';
import { notificationsFor, type NotificationKind, type RecipientContext } from './recipients.js';

/** What a use case decided from the locked ticket: the new state, its events, what it owes. */
export interface Decision {
  changes: TicketChanges;
  events: { type: string; data?: Record<string, unknown> }[];
  /** Owed notifications; their cause is the decision's last event. */
  notify?: NotificationKind[];
  /** The technician a `technician.offer` goes to. */
  technicianId?: string;
  /** Extra facts for the notifications' templates (a breach's clock). */
  extra?: Record<string, unknown>;
}

/** Who a change's notifications go to, when the caller has read them already. */
export type KnownRecipients = Partial<Pick<RecipientContext, 'requester' | 'watchers' | 'technician'>>;

/** What the caller already knows, so that the write reads nothing first. */
export interface WriteHints {
  /** Ids taken for the decision's events, in order (nextval of their sequence). */
  eventIds?: readonly string[];
  recipients?: KnownRecipients;
  /** The technician offered the ticket: their idle time restarts now. */
  lastAssigned?: { technicianId: string; at: Date };
}

/** A change ready to write, and the ticket as it will be. */
export interface PlannedWrite {
  write: TicketWrite;
  state: TicketState;
  /** The types of the events written, for the listeners told after the commit. */
  events: string[];
}

/**
 * The write a decision makes, with the notifications it owes, for a caller that runs it inside a
 * bigger statement (routing's lock-and-offer). The notifications are keyed by their cause, the last
 * event, so its id is taken first (given in `hints`, or one round trip here).
 */
export async function planTicketWrite(
  deps: TicketDeps,
  tx: Store,
  state: TicketState,
  decision: Decision,
  actor: string,
  hints: WriteHints = {},
): Promise<PlannedWrite> {
  const next: TicketState = { ...state, ...decision.changes };
  const owed = decision.notify?.length ? decision.notify : null;
  let ids = hints.eventIds ?? [];
  if (owed && decision.events.length > 0 && ids.length < decision.events.length) ids = await tx.writer.takeEventIds(decision.events.length);
  const causeId = ids[decision.events.length - 1] ?? '';
  const notifications = owed ? await notificationRows(deps, tx, next, causeId, decision, hints.recipients) : [];
  return {
    write: {
      ticketId: state.id,
      actor,
      changes: decision.changes,
      events: decision.events.map((event, i) => ({ id: ids[i], type: event.type, data: event.data })),
      notifications,
      lastAssigned: hints.lastAssigned,
    },
    state: next,
    events: decision.events.map((e) => e.type),
  };
}

/**
 * The one function that writes a ticket's change: the new state, its events and the
 * notifications they cause, in `tx`, in one statement. Every use case (applyChange, routing's
 * decisions, the voice menu) ends here.
 */
export async function writeChange(
  deps: TicketDeps,
  tx: Store,
  state: TicketState,
  decision: Decision,
  actor: string,
  hints: WriteHints = {},
): Promise<PlannedWrite> {
  const planned = await planTicketWrite(deps, tx, state, decision, actor, hints);
  await tx.writer.writeChange(planned.write);
  return planned;
}

/** A change of many to write together (writeChanges). */
export interface ChangeToWrite {
  state: TicketState;
  decision: Decision;
  actor: string;
  hints?: WriteHints;
}

/**
 * Changes to many tickets, each planned as writeChange plans it and written together in as few
 * statements as can hold them (store/ticket-writer.ts writeChanges). A change to a ticket already
 * waiting to be written first writes what waits, so that its plan reads the ticket as it then is.
 */
export async function writeChanges(deps: TicketDeps, tx: Store, changes: readonly ChangeToWrite[]): Promise<PlannedWrite[]> {
  const written: PlannedWrite[] = [];
  let waiting: PlannedWrite[] = [];
  const flush = async () => {
    await tx.writer.writeChanges(waiting.map((planned) => planned.write));
    written.push(...waiting);
    waiting = [];
  };
  for (const { state, decision, actor, hints } of changes) {
    if (waiting.some((planned) => planned.write.ticketId === state.id)) await flush();
    waiting.push(await planTicketWrite(deps, tx, state, decision, actor, hints));
  }
  await flush();
  return written;
}

type NotifiedState = Pick<
  TicketState,
  'id' | 'number' | 'channel' | 'subject' | 'priority' | 'category' | 'resolution' | 'requesterId' | 'assigneeId'
>;

/** The outbox rows a change owes; reads only the recipients not `known`. */
export async function notificationRows(
  deps: TicketDeps,
  tx: Store,
  state: NotifiedState,
  causeId: string,
  decision: Pick<Decision, 'notify' | 'technicianId' | 'extra'>,
  known: KnownRecipients = {},
): Promise<Notification[]> {
  const watchers = known.watchers ?? (await tx.tickets.get(state.id))?.watchers;
  const requester = known.requester ?? (await tx.requesters.get(state.requesterId));
  if (!watchers || !requester) return [];
  const technicianId = decision.technicianId ?? state.assigneeId;
  // A technician passed in stands only if it is the one the notifications are about.
  const technician =
    known.technician !== undefined && (known.technician?.id ?? null) === technicianId
      ? known.technician
      : technicianId
        ? await tx.technicians.get(technicianId)
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

/**
 * Every listener hears of a committed change (but `except`: routing telling the others of its own);
 * one that throws is logged. A new ticket's change says its channel (the metrics count tickets
 * opened per channel).
 */
export function tellListeners(
  deps: TicketDeps,
  change: Omit<TicketChange, 'events'> & { events: readonly string[] },
  except?: TicketListener,
): void {
  if (change.events.length === 0) return;
  for (const listener of deps.listeners ?? []) {
    if (listener === except) continue;
    try {
      listener({ ...change, events: [...change.events] });
    } catch (err) {
      deps.log.error({ err, ticketId: change.ticketId }, 'a ticket listener failed');
    }
  }
}

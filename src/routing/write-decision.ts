import { QueryTypes, type Transaction } from 'sequelize';
import { notificationRows, type Decision, type KnownRecipients } from '../tickets/apply-change.js';
import type { TicketDeps, TicketListener } from '../tickets/deps.js';
import { jsonb } from '../store/jsonb.js';
import { insertOutboxRows } from '../store/outbox-repository.js';
import type { TicketState } from '../store/ticket-repository.js';

/** The decision's payload for the notifications: extra facts for the templates (a breach's clock). */
export type RoutingDecision = Decision & { extra?: Record<string, unknown> };

/** What the caller already knows, so that the write reads nothing first. */
export interface WriteHints {
  /** Ids taken for the decision's events, in order (nextval of their sequence). */
  eventIds?: readonly string[];
  recipients?: KnownRecipients;
  /** The technician offered the ticket: their idle time restarts now. */
  lastAssigned?: { technicianId: string; at: Date };
}

/** A decision's writes as the parts of one statement: `WITH <steps> SELECT ...`. */
export interface WritePlan {
  steps: string[];
  bind: Record<string, unknown>;
  events: string[];
  state: TicketState;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const EVENT_ID = `nextval(pg_get_serial_sequence('ticket_events', 'id'))`;

/**
 * The new state, its events and the notifications they cause as data-modifying steps of one
 * statement. The notifications are keyed by their cause, the last event, so its id is taken first
 * (given in `hints`, or one round trip here). `guard`, an SQL condition, makes every step happen
 * only if it holds (see lock-and-offer.ts).
 */
export async function planWrite(
  deps: TicketDeps,
  state: TicketState,
  decision: RoutingDecision,
  actor: string,
  tx: Transaction,
  hints: WriteHints = {},
  guard = 'true',
): Promise<WritePlan> {
  const next = { ...state, ...decision.changes } as TicketState;
  const events = decision.events.map((e) => e.type);
  const notify = decision.notify?.length ? decision.notify : null;
  let ids = hints.eventIds ?? [];
  if (notify && decision.events.length > 0 && ids.length < decision.events.length)
    ids = await takeEventIds(deps, decision.events.length, tx);
  const causeId = ids[decision.events.length - 1] ?? '';
  const outbox = notify ? await notificationRows(deps, next, causeId, decision, tx, hints.recipients) : [];

  const bind: Record<string, unknown> = { ticketId: state.id };
  const steps: string[] = [];
  const changes = Object.entries(decision.changes).filter(([, value]) => value !== undefined);
  if (changes.length > 0) {
    const sets = changes.map(([name, value], i) => {
      bind[`c${i}`] = value;
      return `"${snake(name)}" = $c${i}`;
    });
    bind.updatedAt = new Date();
    steps.push(`changed AS (UPDATE tickets SET ${sets.join(', ')}, updated_at = $updatedAt WHERE id = $ticketId AND ${guard})`);
  }
  if (hints.lastAssigned) {
    Object.assign(bind, { technicianId: hints.lastAssigned.technicianId, assignedAt: hints.lastAssigned.at });
    steps.push(`touched AS (UPDATE technicians SET last_assigned_at = $assignedAt WHERE id = $technicianId AND ${guard})`);
  }
  if (decision.events.length > 0) {
    Object.assign(bind, {
      actor,
      at: new Date(),
      events: jsonb(decision.events.map((e, i) => ({ id: ids[i] ?? null, type: e.type, data: e.data ?? {} }))),
    });
    steps.push(`appended AS (INSERT INTO ticket_events (id, ticket_id, type, actor, data, at)
      SELECT coalesce(e.id, ${EVENT_ID}), $ticketId, e.type, $actor, e.data, $at
        FROM jsonb_to_recordset(CAST($events AS jsonb)) AS e(id bigint, type text, data jsonb) WHERE ${guard})`);
  }
  if (outbox.length > 0) {
    bind.outbox = jsonb(outbox);
    // As the outbox repository writes them: one row per cause and recipient.
    steps.push(`queued AS (${insertOutboxRows('outbox', guard)})`);
  }
  return { steps, bind, events, state: next };
}

/**
 * What applyChange does inside its transaction, for routing's own transactions (which lock more
 * than the ticket): the new state, its events and the notifications they cause, all in `tx`, in
 * one statement. Returns the types of the events written, for the listeners told after the commit.
 */
export async function writeDecision(
  deps: TicketDeps,
  state: TicketState,
  decision: RoutingDecision,
  actor: string,
  tx: Transaction,
  hints: WriteHints = {},
): Promise<{ events: string[]; state: TicketState }> {
  const plan = await planWrite(deps, state, decision, actor, tx, hints);
  if (plan.steps.length > 0) {
    await deps.store.sequelize.query(`WITH ${plan.steps.join(',\n')} SELECT 1`, {
      bind: plan.bind,
      type: QueryTypes.SELECT,
      transaction: tx,
    });
  }
  return { events: plan.events, state: plan.state };
}

async function takeEventIds(deps: TicketDeps, n: number, tx: Transaction): Promise<string[]> {
  const rows = await deps.store.sequelize.query<{ id: string }>(`SELECT ${EVENT_ID}::text AS id FROM generate_series(1, $n)`, {
    bind: { n },
    type: QueryTypes.SELECT,
    transaction: tx,
  });
  return rows.map((r) => r.id);
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

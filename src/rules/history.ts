import { QUEUE_MOVES as MOVES } from '../domain/queue-moves.js';
import type { SlaClock, SlaHistory } from './timer-plan.js';

/** What routing remembers of a ticket, read from its events (the event log is the only memory). */
export interface RoutingHistory {
  /** Technicians who declined it or let its offer time out, since it last changed tier or reopened. */
  excluded: ReadonlySet<string>;
  /** The latest of the events that move it in or out of the queue; `queued` means it already waits. */
  lastRouting: string | null;
  sla: SlaHistory;
  /** The index of the next reminder of the offer made at this instant (epoch ms): one past the last sent. */
  remindersSent(offeredAt: number): number;
  /** Whether reminder `n` of that offer went out already. */
  reminded(offeredAt: number, n: number): boolean;
}

const QUEUE_MOVES = new Set<string>(MOVES);
const FORGIVING = new Set(['escalated', 'reopened']);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function readHistory(events: readonly { type: string; data: Record<string, unknown> }[]): RoutingHistory {
  const excluded = new Set<string>();
  const warned = new Set<string>();
  const breached = new Set<SlaClock>();
  const reminders = new Map<number, Set<number>>();
  let lastRouting: string | null = null;
  for (const { type, data } of events) {
    if (QUEUE_MOVES.has(type)) lastRouting = type;
    if (FORGIVING.has(type)) excluded.clear();
    if (type === 'declined' || type === 'offer_expired') {
      const id = text(data.technicianId);
      if (id) excluded.add(id);
    }
    if (type === 'offer_reminder' && typeof data.offeredAt === 'number' && typeof data.n === 'number') {
      const sent = reminders.get(data.offeredAt) ?? new Set<number>();
      sent.add(data.n);
      reminders.set(data.offeredAt, sent);
    }
    const clock = text(data.clock);
    if (type === 'sla_warning' && clock) warned.add(`${clock}:${text(data.priority) ?? ''}`);
    if (type === 'sla_breached' && (clock === 'response' || clock === 'resolution')) breached.add(clock);
  }
  return {
    excluded,
    lastRouting,
    sla: { warned, breached },
    remindersSent: (offeredAt) => Math.max(-1, ...(reminders.get(offeredAt) ?? [])) + 1,
    reminded: (offeredAt, n) => reminders.get(offeredAt)?.has(n) ?? false,
  };
}

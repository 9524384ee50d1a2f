import { reference } from '../../domain/values.js';
import { AppError } from '../../errors.js';
import type { FeedEvent } from '../../store/ticket-event-feed.js';

/**
 * The stream's text (the HTML standard's "Server-sent events", text/event-stream): the `retry:`
 * a browser waits before reconnecting, one `ticket` event per change with its id in `id:` (what
 * EventSource sends back as Last-Event-ID), and comments as heartbeats.
 */

const RETRY_MS = 3_000;

export const OPENING = `retry: ${RETRY_MS}\n\n`;

export const PING = ': ping\n\n';

/** JSON.stringify escapes every line break, so the data stays on one `data:` line. */
export function eventFrame(event: FeedEvent): string {
  const data = {
    eventId: event.eventId,
    ticketId: event.ticketId,
    number: event.number,
    reference: reference(event.number),
    type: event.type,
    at: event.at,
    status: event.status,
    priority: event.priority,
    assigneeId: event.assigneeId,
  };
  return `id: ${event.eventId}\nevent: ticket\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The id to replay after: the Last-Event-ID header (an EventSource reconnecting), else
 * `?lastEventId=` (a first connection that knows where it stands); null when neither is given.
 */
export function lastEventId(header: string | undefined, query: unknown): number | null {
  const [given, field] = header ? [header, 'Last-Event-ID'] : typeof query === 'string' && query !== '' ? [query, 'lastEventId'] : [];
  if (given === undefined) return null;
  const id = /^\d{1,15}$/.test(given.trim()) ? Number(given.trim()) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('VALIDATION_FAILED', `${field} must be an event id (digits)`, { field });
  return id;
}

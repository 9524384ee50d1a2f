import type { Priority, TicketStatus } from '../domain/values.js';
import type { Logger } from '../log.js';
import { rows, type Db } from './handle.js';
import { listenOn, type Listening } from './pg-listen.js';

/**
 * The ticket event log as a feed, for the console's live stream (api/stream): the ids committed
 * events are announced with (migration 060 NOTIFYs them at commit), and the events read back by id
 * or after an id, each with its ticket as it stands now.
 */

const CHANNEL = 'ticket_events';

export interface FeedEvent {
  eventId: number;
  ticketId: string;
  number: number;
  type: string;
  at: string;
  status: TicketStatus;
  priority: Priority;
  assigneeId: string | null;
  /**
   * The technicians the event itself names, besides the ticket's assignee now: the one offered or
   * assigned (`technicianId`), the one it was taken from (`previous` of assigned/unassigned,
   * `previousAssignee` of escalated).
   */
  named: string[];
}

interface FeedHandlers {
  /** Events committed, by id, in commit order. */
  onEvents(ids: number[]): void;
  /** The LISTEN is (back) in place: events committed while it was not went unheard. */
  onReconnect(): void;
}

interface FeedRow extends Omit<FeedEvent, 'at'> {
  at: Date;
}

const SELECT = `
  SELECT e.id AS "eventId", e.ticket_id AS "ticketId", t.number, e.type, e.at, t.status, t.priority,
         t.assignee_id AS "assigneeId",
         array_remove(ARRAY[e.data->>'technicianId', e.data->>'previous', e.data->>'previousAssignee'], NULL) AS named
    FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id`;

const plain = (row: FeedRow): FeedEvent => ({ ...row, at: row.at.toISOString() });

export function createTicketEventFeed(db: Db) {
  return {
    /** Hears the ids of committed events until stopped, on a connection of its own. */
    listen(log: Logger, handlers: FeedHandlers): Listening {
      return listenOn(
        db,
        {
          channel: CHANNEL,
          applicationName: 'helpdesk-stream-listen',
          name: 'ticket event listener',
          whileDown: 'the live stream catches up when it is back',
        },
        log,
        {
          onNotify: (payload) => handlers.onEvents(payload.split(',').filter(Boolean).map(Number)),
          onReconnect: () => handlers.onReconnect(),
        },
      );
    },

    /** The newest event's id; 0 when there is none. */
    async latestId(): Promise<number> {
      const [row] = await rows<{ id: number | null }>(db, 'SELECT max(id) AS id FROM ticket_events');
      return row?.id ?? 0;
    },

    /** The events with these ids (those that exist), in no particular order. */
    async eventsByIds(ids: readonly number[]): Promise<FeedEvent[]> {
      if (ids.length === 0) return [];
      const found = await rows<FeedRow>(db, `${SELECT} WHERE e.id = ANY(CAST($ids AS bigint[]))`, { ids: [...ids] });
      return found.map(plain);
    },

    /** The last `limit` events after `afterId`, oldest first. */
    async eventsAfter(afterId: number, limit: number): Promise<FeedEvent[]> {
      const found = await rows<FeedRow>(
        db,
        `SELECT * FROM (${SELECT} WHERE e.id > $afterId ORDER BY e.id DESC LIMIT $limit) newest ORDER BY "eventId"`,
        { afterId, limit },
      );
      return found.map(plain);
    },
  };
}

export type TicketEventFeed = ReturnType<typeof createTicketEventFeed>;

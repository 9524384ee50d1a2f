import { rows, type Db } from './handle.js';
import type { OutboxChannel } from './outbox-deliveries.js';

/**
 * What the delivery side reads about a row before it sends: the event that caused it (for the
 * words), the ticket's email conversation (for the threading headers), and whether the address
 * failed lately (for suppression). The rules that use them are in src/notify.
 */

export interface CauseEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface ThreadMessage {
  direction: 'in' | 'out';
  externalId: string;
}

export function createNotificationFacts(db: Db) {
  return {
    /** A ticket's event by id; null when there is none on that ticket. */
    async cause(ticketId: string, eventId: string): Promise<CauseEvent | null> {
      const [cause] = await rows<CauseEvent>(db, `SELECT type, actor, data FROM ticket_events WHERE id = $id AND ticket_id = $ticketId`, {
        id: eventId,
        ticketId,
      });
      return cause ?? null;
    },

    /**
     * A ticket's email conversation as one recipient saw it, oldest first: every inbound email and
     * our emails to that recipient. A watcher's copy then answers the watcher's previous copy, not
     * the requester's, and each mailbox holds a thread without gaps.
     */
    async emailThread(ticketId: string, recipient: string): Promise<ThreadMessage[]> {
      return rows<ThreadMessage>(
        db,
        `SELECT direction, external_id AS "externalId" FROM messages
          WHERE ticket_id = $ticketId AND channel = 'email' AND (direction = 'in' OR lower(recipient) = lower($recipient))
          ORDER BY at, id`,
        { ticketId, recipient },
      );
    },

    /**
     * Why the address of a row is to be left alone, if it failed within `days`: `bounced` when mail
     * to it bounced, `refused` when an earlier row to it failed with one of `codes` (our SendError
     * codes that blame the address). Null when neither.
     */
    async recentFailure(
      row: { id: number; channel: OutboxChannel; recipient: string },
      codes: readonly string[],
      days: number,
    ): Promise<'bounced' | 'refused' | null> {
      const [hit] = await rows<{ why: 'bounced' | 'refused' }>(
        db,
        // Failed deliveries to the address: bounces recorded on messages (email only: an SMS that was
        // not delivered once may be a phone switched off), and earlier rows refused for the address.
        `SELECT 'bounced' AS why FROM messages
          WHERE CAST($channel AS text) = 'email' AND direction = 'out' AND channel = 'email'
            AND lower(recipient) = lower($recipient) AND status IN ('failed', 'undelivered', 'bounced')
            AND at > now() - make_interval(days => $days)
         UNION ALL
         SELECT 'refused' AS why FROM outbox
          WHERE status = 'failed' AND channel = $channel AND lower(recipient) = lower($recipient) AND id <> $id
            AND error_code = ANY(CAST($codes AS text[])) AND failed_at > now() - make_interval(days => $days)
         LIMIT 1`,
        { channel: row.channel, recipient: row.recipient, id: row.id, codes, days },
      );
      return hit?.why ?? null;
    },
  };
}

import { rows, type Db } from './handle.js';

export function createTicketHistoryRepository(db: Db) {
  return {
    /**
     * Has the ticket an event of this type whose data holds `data`? What makes a retried callback
     * (a transcript, a call's status) a no-op, asked under the ticket's lock.
     */
    async has(ticketId: string, type: string, data: Record<string, unknown>): Promise<boolean> {
      const found = await rows(
        db,
        `SELECT 1 FROM ticket_events WHERE ticket_id = $ticketId AND type = $type AND data @> CAST($data AS jsonb) LIMIT 1`,
        { ticketId, type, data: JSON.stringify(data) },
      );
      return found.length > 0;
    },
  };
}

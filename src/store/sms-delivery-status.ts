import { rows, run, txOf, type Db } from './handle.js';

/**
 * The delivery status of the SMS we sent, on their outbound message (notify/delivery-status.ts
 * decides what a Twilio status callback changes).
 */

export interface OutboundSms {
  id: string;
  ticketId: string | null;
  status: string | null;
}

export function createSmsDeliveryStatus(db: Db) {
  return {
    /**
     * The outbound SMS with this MessageSid, locked until the transaction ends: callbacks for one
     * message arrive together and out of order, and each must see the status the previous one set.
     */
    async lockOutbound(messageSid: string): Promise<OutboundSms | null> {
      txOf(db, 'smsStatus.lockOutbound');
      const [message] = await rows<OutboundSms>(
        db,
        `SELECT id, ticket_id AS "ticketId", status FROM messages
          WHERE channel = 'sms' AND external_id = $sid AND direction = 'out' FOR UPDATE`,
        { sid: messageSid },
      );
      return message ?? null;
    },

    async record(messageId: string, status: string, error: string | null): Promise<void> {
      await run(db, `UPDATE messages SET status = $status, error = $error WHERE id = $id`, { id: messageId, status, error });
    },
  };
}

import { QueryTypes } from 'sequelize';
import type { Store } from '../store/index.js';
import { mapTwilioMessageStatus } from './channels/twilio-sms.js';
import type { DeliveryStatus } from './channels/types.js';
import { createDeadLetterStore } from './dead-letter-store.js';

/**
 * Delivery statuses of the SMS we sent, as Twilio reports them on `/twilio/sms/status`. The route
 * verifies the signature and calls recordSmsStatus; this records the status on the outbound
 * message and, when the text did not arrive, puts it where a coordinator looks: a
 * `notification_failed` event on the ticket and the dead-letter view, from which it can be retried.
 */

export interface SmsStatusReport {
  /** MessageSid. */
  messageSid: string;
  /** MessageStatus, Twilio's word (queued, sent, delivered, undelivered, failed…). */
  status: string;
  /** ErrorCode, on failed and undelivered (30003 unreachable handset, 30007 carrier filter…). */
  errorCode?: string | number | null;
}

export type SmsStatusResult =
  /** No outbound message has this MessageSid (not ours, or its send is not recorded yet). */
  | { found: false }
  /** `changed` is false for a repeat, an unknown status or a late one (sent after delivered). */
  | { found: true; status: DeliveryStatus | null; changed: boolean };

/** Callbacks arrive out of order; a status never moves back. The end states are final. */
const RANK: Record<DeliveryStatus, number> = { queued: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3 };
const rankOf = (status: string | null): number => (status && status in RANK ? RANK[status as DeliveryStatus] : 0);

export async function recordSmsStatus(store: Store, report: SmsStatusReport): Promise<SmsStatusResult> {
  const status = mapTwilioMessageStatus(report.status) ?? null;
  const errorCode =
    report.errorCode === undefined || report.errorCode === null || report.errorCode === '' ? null : String(report.errorCode);
  return store.transaction(async (tx) => {
    const [message] = await store.sequelize.query<{ id: string; ticketId: string | null; status: string | null }>(
      `SELECT id, ticket_id AS "ticketId", status FROM messages
        WHERE channel = 'sms' AND external_id = :sid AND direction = 'out' FOR UPDATE`,
      { replacements: { sid: report.messageSid }, type: QueryTypes.SELECT, transaction: tx },
    );
    if (!message) return { found: false } as const;
    if (!status || rankOf(status) <= rankOf(message.status)) return { found: true, status, changed: false } as const;

    await store.sequelize.query(`UPDATE messages SET status = :status, error = :error WHERE id = :id`, {
      replacements: { id: message.id, status, error: errorCode ? `Twilio error ${errorCode}` : null },
      transaction: tx,
    });
    if (status === 'failed' || status === 'undelivered') {
      const deadLetters = createDeadLetterStore(store.sequelize);
      const row = await deadLetters.failDelivered(
        'sms',
        report.messageSid,
        {
          code: status === 'failed' ? 'DELIVERY_FAILED' : 'UNDELIVERED',
          message: `Twilio reported the SMS ${status}${errorCode ? ` (error ${errorCode})` : ''}`,
        },
        tx,
      );
      if (message.ticketId) {
        await store.tickets.appendEvent(
          message.ticketId,
          'notification_failed',
          'system:notify',
          {
            channel: 'sms',
            status,
            ...(row ? { kind: row.kind, outboxId: row.id } : {}),
            ...(errorCode ? { vendorCode: errorCode } : {}),
          },
          tx,
        );
      }
    }
    return { found: true, status, changed: true } as const;
  });
}

import type { Store } from '../store/index.js';
import { mapTwilioMessageStatus } from './channels/twilio-sms.js';
import type { DeliveryStatus } from './channels/types.js';

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
    const message = await tx.smsStatus.lockOutbound(report.messageSid);
    if (!message) return { found: false } as const;
    if (!status || rankOf(status) <= rankOf(message.status)) return { found: true, status, changed: false } as const;

    await tx.smsStatus.record(message.id, status, errorCode ? `Twilio error ${errorCode}` : null);
    if (status === 'failed' || status === 'undelivered') {
      const row = await tx.deliveries.failDelivered('sms', report.messageSid, {
        code: status === 'failed' ? 'DELIVERY_FAILED' : 'UNDELIVERED',
        message: `Twilio reported the SMS ${status}${errorCode ? ` (error ${errorCode})` : ''}`,
      });
      if (message.ticketId) {
        await tx.tickets.appendEvent(message.ticketId, 'notification_failed', 'system:notify', {
          channel: 'sms',
          status,
          ...(row ? { kind: row.kind, outboxId: row.id } : {}),
          ...(errorCode ? { vendorCode: errorCode } : {}),
        });
      }
    }
    return { found: true, status, changed: true } as const;
  });
}

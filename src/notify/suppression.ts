import { isNoReplyAddress } from '../mail/addresses.js';
import type { Store } from '../store/index.js';
import type { OutboxChannel } from '../store/outbox-deliveries.js';

/**
 * Addresses we must not write to: a no-reply or mailer-daemon address (it would vanish or loop),
 * an address that bounced, a number Twilio called invalid or unsubscribed. Checked at send time, so
 * that rows queued before the first bounce do not all hit the same wall.
 */

/** How long a bounce or a permanent refusal keeps an address quiet. */
const QUIET_DAYS = 30;

/**
 * Our SendError codes that say the address itself is bad, not the message. A suppression is not
 * one of them: it would renew itself and keep an address quiet forever.
 */
const ADDRESS_CODES: Record<OutboxChannel, string[]> = {
  email: ['REJECTED'],
  sms: ['INVALID_NUMBER', 'UNSUBSCRIBED', 'UNREACHABLE_NUMBER', 'NOT_MOBILE'],
};

export type Suppression = { code: 'SUPPRESSED'; message: string } | null;

export async function suppressionOf(store: Store, row: { id: number; channel: OutboxChannel; recipient: string }): Promise<Suppression> {
  if (row.channel === 'email' && isNoReplyAddress(row.recipient)) {
    return { code: 'SUPPRESSED', message: 'not sent: a no-reply or mailer-daemon address' };
  }
  const why = await store.notificationFacts.recentFailure(row, ADDRESS_CODES[row.channel], QUIET_DAYS);
  if (!why) return null;
  return {
    code: 'SUPPRESSED',
    message:
      why === 'bounced'
        ? `not sent: mail to this address bounced in the last ${QUIET_DAYS} days`
        : `not sent: this ${row.channel === 'sms' ? 'number' : 'address'} was refused in the last ${QUIET_DAYS} days`,
  };
}

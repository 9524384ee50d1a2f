import { QueryTypes, type Sequelize } from 'sequelize';
import { isNoReplyAddress } from '../tickets/recipients.js';
import type { OutboxChannel } from './outbox-store.js';

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

export async function suppressionOf(
  sequelize: Sequelize,
  row: { id: number; channel: OutboxChannel; recipient: string },
): Promise<Suppression> {
  if (row.channel === 'email' && isNoReplyAddress(row.recipient)) {
    return { code: 'SUPPRESSED', message: 'not sent: a no-reply or mailer-daemon address' };
  }
  const [hit] = await sequelize.query<{ why: string }>(
    // Failed deliveries to the address: bounces recorded on messages (email only: an SMS that was
    // not delivered once may be a phone switched off), and earlier rows refused for the address.
    `SELECT 'bounced' AS why FROM messages
      WHERE :channel = 'email' AND direction = 'out' AND channel = 'email'
        AND lower(recipient) = lower(:recipient) AND status IN ('failed', 'undelivered', 'bounced')
        AND at > now() - make_interval(days => :days)
     UNION ALL
     SELECT 'refused' AS why FROM outbox
      WHERE status = 'failed' AND channel = :channel AND lower(recipient) = lower(:recipient) AND id <> :id
        AND error_code IN (:codes) AND failed_at > now() - make_interval(days => :days)
     LIMIT 1`,
    {
      replacements: { channel: row.channel, recipient: row.recipient, id: row.id, codes: ADDRESS_CODES[row.channel], days: QUIET_DAYS },
      type: QueryTypes.SELECT,
    },
  );
  if (!hit) return null;
  return {
    code: 'SUPPRESSED',
    message:
      hit.why === 'bounced'
        ? `not sent: mail to this address bounced in the last ${QUIET_DAYS} days`
        : `not sent: this ${row.channel === 'sms' ? 'number' : 'address'} was refused in the last ${QUIET_DAYS} days`,
  };
}

import { describe, expect, it } from 'vitest';
import { isNoReplyAddress } from '../../../src/mail/addresses.js';
import { notificationsFor, type RecipientContext } from '../../../src/tickets/recipients.js';

/**
 * The acknowledgement of a new email ticket must never go to an address nobody reads: the intake's
 * rule (isNoReplyAddress) and the one the notifications use agree.
 */
function email(requester: string, watchers: string[] = []): RecipientContext {
  return {
    causeId: '1',
    ticket: { id: 't', number: 1001, channel: 'email', subject: 'S', priority: 'P3', category: null, resolution: null },
    requester: { name: null, emails: [requester], phones: [], language: 'fr' },
    watchers: watchers.map((w) => ({ email: w })),
    technician: null,
    coordinator: { email: undefined, phone: undefined },
    defaultLanguage: 'fr',
  };
}

const MACHINES = [
  'noreply@shop.example',
  'no-reply@accounts.example',
  'do_not_reply@bank.example',
  'donotreply@hr.example',
  'notifications-noreply@tool.example',
  'noreply-dmarc-support@mail.example',
  'MAILER-DAEMON@mx.example',
  'postmaster@mx.example',
  'bounces+123-abc@list.example',
  'msprvs1=19741hsTBl8ex=bounces-1234@bounces.example',
  'auto-reply@vendor.example',
];

describe('acknowledgements and no-reply addresses', () => {
  it.each(MACHINES)('%s gets no acknowledgement, as requester or watcher', (address) => {
    expect(isNoReplyAddress(address)).toBe(true);
    expect(notificationsFor('requester.created', email(address))).toEqual([]);
    expect(notificationsFor('requester.created', email('ann@client.example', [address])).map((r) => r.recipient)).toEqual([
      'ann@client.example',
    ]);
  });

  it.each(['bouncer.lee@client.example', 'noreen@client.example', 'replyall@client.example'])('%s is a person', (address) => {
    expect(isNoReplyAddress(address)).toBe(false);
    expect(notificationsFor('requester.created', email(address)).map((r) => r.recipient)).toEqual([address]);
  });
});

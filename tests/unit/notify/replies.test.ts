import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../src/notify/compose.js';
import { notificationsFor, requesterRoute, type RecipientContext } from '../../../src/tickets/recipients.js';

/** Issue 13: who a reply to the requester goes to, and what it says. Pure. */

const ALICE = { name: 'Alice', emails: ['alice@client.example'], phones: ['+33611111111'], language: 'en' as const };

function context(
  channel: RecipientContext['ticket']['channel'],
  requester = ALICE,
  watchers: RecipientContext['watchers'] = [],
): RecipientContext {
  return {
    causeId: '42',
    ticket: { id: 't1', number: 1042, channel, subject: 'Printer jams', priority: 'P3', category: 'printing', resolution: null },
    requester,
    watchers,
    technician: null,
    coordinator: { email: undefined, phone: undefined },
    defaultLanguage: 'fr',
    extra: { reply: 'I come at 2 pm.', author: 'Théo' },
  };
}

describe('requesterRoute: by the channel the requester used', () => {
  it.each([
    ['email', ALICE, 'email'],
    ['web', ALICE, 'email'],
    ['sms', ALICE, 'sms'],
    ['voice', ALICE, 'sms'],
    ['voice', { ...ALICE, phones: [] }, 'email'],
    ['web', { ...ALICE, emails: [] }, 'sms'],
    ['web', { ...ALICE, emails: ['no-reply@client.example'] }, 'sms'],
    ['sms', { ...ALICE, phones: [] }, 'email'],
  ] as const)('%s ticket, %j → %s', (channel, requester, expected) => {
    expect(requesterRoute(channel, requester)?.channel).toBe(expected);
  });

  it('has no way to reach someone with neither an address nor a phone', () => {
    expect(requesterRoute('voice', { emails: [], phones: [] })).toBeNull();
  });
});

describe('notificationsFor requester.reply', () => {
  it('shows the watchers in Cc, the requester and no-reply addresses left out of it, and sends each a copy', () => {
    const rows = notificationsFor(
      'requester.reply',
      context('email', ALICE, [
        { email: 'bob@client.example' },
        { email: 'ALICE@client.example' },
        { email: 'noreply@client.example' },
        { phone: '+33622222222' },
      ]),
    );
    expect(rows.map((r) => [r.channel, r.recipient, r.language])).toEqual([
      ['email', 'alice@client.example', 'en'],
      ['email', 'bob@client.example', 'en'],
    ]);
    for (const row of rows) {
      expect(row.payload).toMatchObject({
        reply: 'I come at 2 pm.',
        author: 'Théo',
        to: ['alice@client.example'],
        cc: ['bob@client.example'],
      });
    }
  });

  it('shows nobody else when there are no watchers', () => {
    const [row, ...others] = notificationsFor('requester.reply', context('email'));
    expect(others).toEqual([]);
    expect(row?.payload.to).toBeUndefined();
  });

  it('goes by SMS to a texter, the watchers by email each', () => {
    const rows = notificationsFor('requester.reply', context('sms', ALICE, [{ email: 'bob@client.example' }]));
    expect(rows.map((r) => [r.channel, r.recipient, r.payload.cc])).toEqual([
      ['sms', '+33611111111', undefined],
      ['email', 'bob@client.example', undefined],
    ]);
  });
});

describe('a reply as rendered', () => {
  const row = (language: 'en' | 'fr', payload: Record<string, unknown>) => ({ kind: 'requester.reply', language, payload });
  const facts = { ticket: null, cause: null };

  it('keeps the person’s words whole, with the ticket’s tag, in both languages', () => {
    const long = `Bonjour,\n\n${'Nous remplaçons la pièce défectueuse. '.repeat(12)}`.trim();
    for (const language of ['en', 'fr'] as const) {
      const out = composeMessage(
        row(language, { number: 1042, subject: 'Printer jams', reply: long, author: 'Théo' }),
        facts,
        'Europe/Paris',
      );
      expect(out.subject).toBe('[HD-1042] Re: Printer jams');
      expect(out.text).toContain(long);
      expect(out.text).toContain('Théo');
      expect(out.sms.startsWith('HD-1042: Bonjour,')).toBe(true);
      // Not cut to one segment: a person's reply is not ours to shorten.
      expect(out.sms).toContain('Nous remplacons la pièce défectueuse. '.repeat(11).trim());
    }
  });

  it('escapes the words in the HTML part', () => {
    const out = composeMessage(row('en', { number: 7, subject: 'x', reply: '<img src=x onerror=alert(1)>', author: null }), facts, 'UTC');
    expect(out.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out.html).not.toContain('<img');
  });

  it('refuses a row without the text', () => {
    expect(() => composeMessage(row('en', { number: 7, subject: 'x' }), facts, 'UTC')).toThrow(/without its text/);
  });
});

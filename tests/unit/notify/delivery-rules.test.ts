import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/notify/backoff.js';
import { composeMessage, ComposeError, templateKindOf, type Facts } from '../../../src/notify/compose.js';
import { notificationsFor, type RecipientContext } from '../../../src/tickets/recipients.js';
import { normalizeMessageId, threadHeaders } from '../../../src/notify/thread.js';

describe('email threading', () => {
  it('roots the thread at the first inbound email and answers the latest message', () => {
    expect(
      threadHeaders([
        { direction: 'out', externalId: '<ack@desk>' },
        { direction: 'in', externalId: 'orig@client' },
        { direction: 'in', externalId: 'CA123' }, // not a Message-ID: left out
        { direction: 'out', externalId: '<assigned@desk>' },
      ]),
    ).toEqual({ inReplyTo: '<assigned@desk>', references: ['<orig@client>', '<ack@desk>', '<assigned@desk>'] });
  });

  it('starts from our own first email when the ticket did not come by email, and keeps References short', () => {
    const ours = Array.from({ length: 15 }, (_, i) => ({ direction: 'out' as const, externalId: `<m${i}@desk>` }));
    const headers = threadHeaders(ours);
    expect(headers.references).toHaveLength(10);
    expect(headers.references[0]).toBe('<m0@desk>');
    expect(headers.references.at(-1)).toBe('<m14@desk>');
    expect(headers.inReplyTo).toBe('<m14@desk>');
    expect(threadHeaders([])).toEqual({ references: [] });
    expect(normalizeMessageId(' <a@b> ')).toBe('<a@b>');
  });
});

describe('backoff', () => {
  it('doubles from the base, with jitter between half and all of it, up to the cap', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(40, policy, () => 0.5)).toBe(45_000);
  });
});

const facts: Facts = { ticket: null, cause: null };

describe('compose', () => {
  it('maps outbox kinds onto templates', () => {
    expect(templateKindOf('requester.created')).toBe('created');
    expect(templateKindOf('coordinator.breach')).toBe('breach');
    expect(templateKindOf('requester.nonsense')).toBeUndefined();
    expect(() => composeMessage({ kind: 'x.y', language: 'fr', payload: { number: 1 } }, facts, 'Europe/Paris')).toThrow(ComposeError);
  });

  it('renders from the payload snapshot, with the escalation facts of its cause event', () => {
    const rendered = composeMessage(
      { kind: 'coordinator.escalation', language: 'en', payload: { number: 1042, subject: 'VPN', priority: 'P1', category: 'network' } },
      {
        ticket: null,
        cause: { type: 'escalated', actor: 'coordinator', data: { reason: 'Needs tier 2', from: { tier: 1 }, to: { tier: 2 } } },
      },
      'Europe/Paris',
    );
    expect(rendered.subject).toBe('[HD-1042] Escalated P1 to tier 2: VPN');
    expect(rendered.text).toContain('moves from tier 1 to tier 2');
    expect(rendered.sms).toBe('Escalated HD-1042 P1 to tier 2: Needs tier 2');
  });

  it('accepts the outage titles openTicket snapshots', () => {
    const rendered = composeMessage(
      { kind: 'requester.created', language: 'fr', payload: { number: 7, subject: 'Wifi', priority: 'P3', outages: ['Wifi du 2e'] } },
      facts,
      'Europe/Paris',
    );
    expect(rendered.sms).toContain('Incident en cours : Wifi du 2e');
  });
});

function context(over: Partial<RecipientContext> = {}): RecipientContext {
  return {
    causeId: '42',
    ticket: { id: 't1', number: 1001, channel: 'email', subject: 'S', priority: 'P3', category: null, resolution: null },
    requester: { name: 'Ann', emails: ['ann@example.com'], phones: ['+33600000001'], language: 'en' },
    watchers: [
      { email: 'Ann@example.com' },
      { email: 'bo@example.com' },
      { email: 'BO@example.com' },
      { email: 'mailer-daemon@example.com' },
    ],
    technician: { id: 'x', name: 'Théo', phone: '+33600000002', email: null, language: 'fr' },
    coordinator: { email: 'coord@example.com', phone: '+33600000003' },
    defaultLanguage: 'fr',
    ...over,
  };
}

describe('who hears what', () => {
  it('an emailer by email with each watcher once; the survey to the requester alone', () => {
    const rows = notificationsFor('requester.created', context());
    expect(rows.map((r) => [r.channel, r.recipient, r.language])).toEqual([
      ['email', 'ann@example.com', 'en'],
      ['email', 'bo@example.com', 'en'],
    ]);
    expect(rows[0]?.payload).toMatchObject({ causeId: '42', requesterName: 'Ann', technicianName: 'Théo' });
    expect(notificationsFor('requester.closed', context()).map((r) => r.recipient)).toEqual(['ann@example.com']);
  });

  it('a caller by SMS; the technician by SMS in their language; the coordinator by SMS only for P1', () => {
    const voice = context({ ticket: { ...context().ticket, channel: 'voice' } });
    expect(notificationsFor('requester.resolved', voice)[0]).toMatchObject({ channel: 'sms', recipient: '+33600000001' });
    expect(notificationsFor('technician.offer', voice)).toEqual([expect.objectContaining({ channel: 'sms', language: 'fr' })]);
    expect(notificationsFor('coordinator.breach', voice).map((r) => r.channel)).toEqual(['email']);
    const p1 = context({ ticket: { ...context().ticket, priority: 'P1' } });
    expect(notificationsFor('coordinator.breach', p1).map((r) => r.channel)).toEqual(['email', 'sms']);
  });
});

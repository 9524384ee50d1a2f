import { describe, expect, it } from 'vitest';
import {
  cleanSubject,
  decideThread,
  referencedMessageIds,
  subjectTicketNumber,
  type ThreadLookups,
  type TicketRef,
} from '../../../src/intake/email/thread.js';
import { normaliseMessageId, parseMessageIdList } from '../../../src/mail/message-id.js';
import { parseFixture } from './fixtures.js';

const NOW = new Date('2026-03-20T12:00:00Z');
const EMAIL = { messageId: 'CAB42@mail.example.com' };

function ticket(overrides: Partial<TicketRef> = {}): TicketRef {
  return { id: 't-1042', number: '1042', status: 'in_progress', closedAt: null, ...overrides };
}

function lookups(overrides: Partial<ThreadLookups> = {}): ThreadLookups {
  return { seenMessageId: false, ticketByHeaders: null, ticketBySubject: null, reopenWindowDays: 14, now: NOW, ...overrides };
}

describe('decideThread', () => {
  it('1. a Message-ID already seen is a redelivery, whatever else matches', () => {
    expect(decideThread(EMAIL, lookups({ seenMessageId: true, ticketByHeaders: ticket() }))).toEqual({
      action: 'ignore-duplicate',
      reason: 'Message-ID <CAB42@mail.example.com> was already received',
    });
  });

  it('2. In-Reply-To/References → that ticket', () => {
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket() }))).toEqual({
      action: 'append',
      ticketId: 't-1042',
      reopen: false,
      reason: 'In-Reply-To/References matched HD-1042',
    });
  });

  it('2 beats 3: the headers win over another ticket named in the subject', () => {
    const decision = decideThread(
      EMAIL,
      lookups({ ticketByHeaders: ticket(), ticketBySubject: { ...ticket({ id: 't-7', number: '7' }), senderIsRequesterOrWatcher: true } }),
    );
    expect(decision).toMatchObject({ action: 'append', ticketId: 't-1042' });
  });

  it('3. the subject token → that ticket when the sender is its requester or a watcher', () => {
    expect(decideThread(EMAIL, lookups({ ticketBySubject: { ...ticket(), senderIsRequesterOrWatcher: true } }))).toEqual({
      action: 'append',
      ticketId: 't-1042',
      reopen: false,
      reason: 'the subject token matched HD-1042',
    });
  });

  it('3. the subject token from a stranger opens a new ticket, unlinked', () => {
    expect(decideThread(EMAIL, lookups({ ticketBySubject: { ...ticket(), senderIsRequesterOrWatcher: false } }))).toEqual({
      action: 'new-ticket',
      reason: 'the subject names HD-1042 but the sender is neither its requester nor a watcher',
    });
  });

  it('nothing known → a new ticket', () => {
    expect(decideThread(EMAIL, lookups())).toEqual({ action: 'new-ticket', reason: 'no reference to a known ticket' });
  });

  it('a reply to a resolved ticket reopens it', () => {
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status: 'resolved' }) }))).toEqual({
      action: 'append',
      ticketId: 't-1042',
      reopen: true,
      reason: 'In-Reply-To/References matched HD-1042, resolved: reopened',
    });
  });

  it('a reply to a ticket closed within the window reopens it', () => {
    const closedAt = new Date(NOW.getTime() - 13 * 86_400_000);
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status: 'closed', closedAt }) }))).toEqual({
      action: 'append',
      ticketId: 't-1042',
      reopen: true,
      reason: 'In-Reply-To/References matched HD-1042, closed recently: reopened',
    });
  });

  it('exactly at the window edge still reopens; one millisecond later opens a new ticket', () => {
    const edge = new Date(NOW.getTime() - 14 * 86_400_000);
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status: 'closed', closedAt: edge }) }))).toMatchObject({
      action: 'append',
      reopen: true,
    });
    const past = new Date(edge.getTime() - 1);
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status: 'closed', closedAt: past }) }))).toEqual({
      action: 'new-ticket',
      linkedTicketId: 't-1042',
      reason: 'In-Reply-To/References matched HD-1042, closed more than 14 days ago',
    });
  });

  it('a ticket closed long ago, found by its subject token, opens a new ticket linked to it', () => {
    const closedAt = new Date('2025-12-01T00:00:00Z');
    const decision = decideThread(
      EMAIL,
      lookups({ ticketBySubject: { ...ticket({ status: 'closed', closedAt }), senderIsRequesterOrWatcher: true } }),
    );
    expect(decision).toEqual({
      action: 'new-ticket',
      linkedTicketId: 't-1042',
      reason: 'the subject token matched HD-1042, closed more than 14 days ago',
    });
  });

  it('a closed ticket without a closing date counts as closed long ago', () => {
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status: 'closed', closedAt: null }) }))).toMatchObject({
      action: 'new-ticket',
      linkedTicketId: 't-1042',
    });
  });

  it.each(['new', 'assigned', 'in_progress', 'pending'] as const)('a reply to a %s ticket is appended without reopening', (status) => {
    expect(decideThread(EMAIL, lookups({ ticketByHeaders: ticket({ status }) }))).toMatchObject({ action: 'append', reopen: false });
  });
});

describe('subjectTicketNumber', () => {
  it.each([
    ['[HD-1042] Printer', '1042'],
    ['Re: [HD-1042] Printer', '1042'],
    ['RE : [HD-1042] L’imprimante', '1042'],
    ['AW: WG: [HD-77] Drucker', '77'],
    ['TR: Fwd: [hd-5] lower case', '5'],
    ['Réponse automatique : [HD-1042] Imprimante', '1042'],
    ['Printer [ HD-1042 ] broken', '1042'],
    ['[HD-12] and [HD-15]', '12'],
    ['HD-1042 without brackets', null],
    ['[HD-] no number', null],
    ['[HD-12a] not digits only', null],
    ['', null],
  ])('%j → %j', (subject, number) => {
    expect(subjectTicketNumber(subject)).toBe(number);
  });
});

describe('cleanSubject', () => {
  it.each([
    ['Re: [HD-1042] Printer jam', 'Printer jam'],
    ['RE: RE: Fwd: Printer jam', 'Printer jam'],
    ['FW: Printer jam', 'Printer jam'],
    ['RE : TR : [HD-1042] L’imprimante du 2e étage', 'L’imprimante du 2e étage'],
    ['RE\u00a0: Imprimante', 'Imprimante'],
    ['AW: WG: Drucker im 2. Stock', 'Drucker im 2. Stock'],
    ['Antw: Drucker', 'Drucker'],
    ['Re[2]: Re(3): Printer', 'Printer'],
    ['[HD-1042] Re: Printer', 'Printer'],
    ['Printer [HD-1042]', 'Printer'],
    ['Return of the laptop', 'Return of the laptop'],
    ['Trackpad broken', 'Trackpad broken'],
    ['Awful noise from the fan', 'Awful noise from the fan'],
    ['VS Code crashes', 'VS Code crashes'],
    ['', ''],
  ])('%j → %j', (subject, cleaned) => {
    expect(cleanSubject(subject)).toBe(cleaned);
  });
});

describe('referencedMessageIds', () => {
  it('In-Reply-To first, then References newest first, deduplicated', async () => {
    expect(referencedMessageIds(await parseFixture('gmail-fr-reply.eml'))).toEqual([
      'hd-1042.20260303T090000.7f3a9c@helpdesk.acme.example',
      'CAJm4Zq9X2pL8sN1vT6rY3bW0kF5hD7gC4aE9uI2oQ8mR1tS6y@mail.gmail.com',
    ]);
  });

  it('nothing to look up in a new message', async () => {
    expect(referencedMessageIds(await parseFixture('gmail-en-new.eml'))).toEqual([]);
  });

  it('References alone', () => {
    expect(referencedMessageIds({ inReplyTo: null, references: ['a@x', 'b@x', 'c@x'] })).toEqual(['c@x', 'b@x', 'a@x']);
  });
});

describe('Message-ID normalisation (RFC 5322 §3.6.4)', () => {
  it.each([
    ['<CAB42@mail.example.com>', 'CAB42@mail.example.com'],
    ['  <CAB42@mail.example.com>  ', 'CAB42@mail.example.com'],
    ['CAB42@mail.example.com', 'CAB42@mail.example.com'],
    ['<CAB42@\n mail.example.com>', 'CAB42@mail.example.com'],
    ['<>', null],
    ['', null],
  ])('%j → %j', (value, id) => {
    expect(normaliseMessageId(value)).toBe(id);
  });

  it('reads lists with comments, commas and missing brackets', () => {
    expect(parseMessageIdList('<a@x> (the first)\n <b@x>, <a@x>')).toEqual(['a@x', 'b@x']);
    expect(parseMessageIdList('a@x b@x')).toEqual(['a@x', 'b@x']);
    expect(parseMessageIdList('Your message of Tue, 3 Mar')).toEqual([]);
  });
});

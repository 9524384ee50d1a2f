import { describe, expect, it } from 'vitest';
import type { InboundEmail } from '../../../src/intake/email/types.js';
import { planRound, type Lookups, type WaitingEmail } from '../../../src/intake/email/plan.js';
import type { EmailTicketRef, OutboundEmail } from '../../../src/store/email-repository.js';
import { inboundEmail } from './fixtures.js';

/**
 * The email intake's rules (planRound), alone: what each email of a round becomes, in UID order,
 * and which wait for a following round because they depend on another email of the same round.
 */

const NOW = new Date('2026-03-03T12:00:00Z');
const SETTINGS = {
  caps: { senderMessages: 3, senderWindowMinutes: 10, ticketMessages: 3, ticketWindowMinutes: 60 },
  reopenWindowDays: 30,
};

function email(uid: number, o: Partial<Omit<InboundEmail, 'from'>> & { from: string }): WaitingEmail {
  const { from, ...rest } = o;
  return {
    uid,
    raw: Buffer.from(''),
    email: inboundEmail({
      messageId: `m${uid}@client.example`,
      from: { name: null, address: from },
      subject: `Subject ${uid}`,
      text: `Text ${uid}.`,
      ...rest,
    }),
  };
}

const ticket = (id: string, status: EmailTicketRef['status'] = 'new'): EmailTicketRef => ({
  id,
  number: '1001',
  status,
  closedAt: null,
  requesterId: 'r1',
});

function lookups(over: Partial<Lookups> = {}): Lookups {
  return {
    known: new Map(),
    kinds: new Map(),
    byHeaders: new Map(),
    bySubject: new Map(),
    fromSender: new Map(),
    onTicket: new Map(),
    newest: new Map(),
    outbound: new Map(),
    surveys: new Map(),
    ...over,
  };
}

/** Every email its own conversation unless told. */
const round = (emails: WaitingEmail[], look: Lookups, conversations: number[] = emails.map((_, i) => i)) =>
  planRound(
    emails.map((waiting, i) => ({ waiting, conversation: conversations[i] ?? i })),
    look,
    SETTINGS,
    NOW,
  );

const steps = (plan: ReturnType<typeof round>) => plan.taken.map((p) => [p.waiting.uid, p.step.action]);
const deferred = (plan: ReturnType<typeof round>) => plan.deferred.map((d) => d.waiting.uid);

describe('planRound', () => {
  it('lets a reply to a request of the same round join the ticket that request opens', () => {
    const request = email(1, { from: 'a@client.example' });
    const reply = email(2, { from: 'a@client.example', inReplyTo: 'm1@client.example', references: ['m1@client.example'] });
    const answer = email(3, {
      from: 'a@client.example',
      inReplyTo: 'm2@client.example',
      references: ['m1@client.example', 'm2@client.example'],
    });
    const other = email(4, { from: 'b@client.example' });
    const plan = round([request, reply, answer, other], lookups(), [0, 0, 0, 1]);
    expect(steps(plan)).toEqual([
      [1, 'open'],
      [2, 'append-new'],
      [3, 'append-new'],
      [4, 'open'],
    ]);
    expect(plan.taken.map((p) => (p.step.action === 'append-new' ? p.step.opener : null))).toEqual([null, 1, 1, null]);
    expect(deferred(plan)).toEqual([]);
  });

  it('counts a ticket the round opens for its storm cap: the request, then each reply', () => {
    const request = email(1, { from: 'a@client.example' });
    const reply = (uid: number) => email(uid, { from: `c${uid}@client.example`, inReplyTo: 'm1@client.example' });
    const plan = round([request, reply(2), reply(3), reply(4)], lookups(), [0, 0, 0, 0]);
    expect(plan.taken.map((p) => (p.step.action === 'append-new' ? p.step.item.capped : null))).toEqual([null, false, false, true]);
  });

  it('defers a reply to an email of the round that joined a ticket, and the rest of its conversation', () => {
    const byHeaders = new Map([['old@client.example', ticket('t1')]]);
    const first = email(1, { from: 'a@client.example', inReplyTo: 'old@client.example' });
    const reply = email(2, {
      from: 'a@client.example',
      inReplyTo: 'm1@client.example',
      references: ['old@client.example', 'm1@client.example'],
    });
    const after = email(3, { from: 'a@client.example' });
    const other = email(4, { from: 'b@client.example' });
    const plan = round([first, reply, after, other], lookups({ byHeaders }), [0, 0, 0, 1]);
    expect(steps(plan)).toEqual([
      [1, 'append'],
      [4, 'open'],
    ]);
    expect(deferred(plan)).toEqual([2, 3]);
  });

  it('threads by the first Message-ID naming a ticket: a stored one before a request of the round wins', () => {
    const byHeaders = new Map([['old@client.example', ticket('t1')]]);
    const request = email(1, { from: 'a@client.example' });
    const reply = email(2, { from: 'a@client.example', inReplyTo: 'old@client.example', references: ['m1@client.example'] });
    const plan = round([request, reply], lookups({ byHeaders }), [0, 0]);
    expect(steps(plan)).toEqual([
      [1, 'open'],
      [2, 'append'],
    ]);
  });

  it('defers a reply copying people in to a ticket the round opens (their roles change)', () => {
    const request = email(1, { from: 'a@client.example' });
    const reply = email(2, {
      from: 'a@client.example',
      inReplyTo: 'm1@client.example',
      cc: [{ name: null, address: 'boss@client.example' }],
    });
    expect(deferred(round([request, reply], lookups(), [0, 0]))).toEqual([2]);
  });

  it('never defers the first email', () => {
    const plan = round([email(7, { from: 'a@client.example', inReplyTo: 'x@client.example' })], lookups());
    expect(deferred(plan)).toEqual([]);
  });

  it('lets several replies join one ticket, but not a second one after a reopen', () => {
    const byHeaders = new Map([['old@client.example', ticket('t1', 'resolved')]]);
    const reply = (uid: number, from: string) => email(uid, { from, inReplyTo: 'old@client.example' });
    const plan = round([reply(1, 'a@client.example'), reply(2, 'b@client.example')], lookups({ byHeaders }));
    expect(steps(plan)).toEqual([[1, 'append']]);
    expect(deferred(plan)).toEqual([2]);

    const open = new Map([['old@client.example', ticket('t1')]]);
    expect(steps(round([reply(1, 'a@client.example'), reply(2, 'b@client.example')], lookups({ byHeaders: open })))).toEqual([
      [1, 'append'],
      [2, 'append'],
    ]);
  });

  it('counts the storm caps in UID order: past the ticket’s, replies are capped', () => {
    const byHeaders = new Map([['old@client.example', ticket('t1')]]);
    const reply = (uid: number) => email(uid, { from: 'a@client.example', inReplyTo: 'old@client.example' });
    const plan = round([reply(1), reply(2), reply(3)], lookups({ byHeaders, onTicket: new Map([['t1', 1]]) }), [0, 0, 0]);
    expect(plan.taken.map((p) => (p.step.action === 'append' ? p.step.item.capped : null))).toEqual([false, false, true]);
  });

  it('past the sender’s cap, keeps the email on its newest ticket; one opened in this round is waited for', () => {
    const from = 'storm@client.example';
    const known = lookups({ fromSender: new Map([[from, 3]]), newest: new Map([[from, ticket('t9')]]) });
    const plan = round([email(1, { from })], known);
    expect(plan.taken[0]?.step).toMatchObject({ action: 'append', item: { ticketId: 't9', capped: true } });

    const near = lookups({ fromSender: new Map([[from, 2]]), newest: new Map([[from, ticket('t9')]]) });
    const storm = round([email(1, { from }), email(2, { from })], near, [0, 0]);
    expect(steps(storm)).toEqual([[1, 'open']]);
    expect(deferred(storm)).toEqual([2]);
  });

  it('takes a bare digit as the survey’s answer, alone on its ticket', () => {
    const surveys = new Map([['a@client.example', 't5']]);
    const digit = (uid: number) => email(uid, { from: 'a@client.example', text: '4' });
    const plan = round([digit(1), digit(2)], lookups({ surveys }), [0, 0]);
    expect(plan.taken.map((p) => p.step)).toEqual([{ action: 'survey', ticketId: 't5', digit: '4', score: 4 }]);
    expect(deferred(plan)).toEqual([2]);
  });

  it('files our own mail as filtered, records a redelivery as a duplicate, waits for a Message-ID seen earlier in the round', () => {
    const known = new Map([['m2@client.example', { received: true, sent: false }]]);
    const kinds = new Map([[1, { kind: 'loop' as const, reason: 'ours' }]]);
    const twice = email(3, { from: 'c@client.example', messageId: 'm4@client.example' });
    const plan = round(
      [email(1, { from: 'a@client.example' }), email(2, { from: 'b@client.example' }), twice, email(4, { from: 'd@client.example' })],
      lookups({ known, kinds }),
    );
    expect(steps(plan)).toEqual([
      [1, 'filter'],
      [2, 'duplicate'],
      [3, 'open'],
    ]);
    expect(deferred(plan)).toEqual([4]);
  });

  it('files what opens no ticket and lands on none, each with its code: nothing is dropped', () => {
    const storm = 'storm@client.example';
    const kinds = new Map([
      [1, { kind: 'loop' as const, reason: 'ours' }],
      [2, { kind: 'bounce' as const, reason: 'a DSN about nothing of ours', originalMessageIds: [], failed: true }],
      [3, { kind: 'bounce' as const, reason: 'delayed', originalMessageIds: ['o1@desk.example'], failed: false }],
      [4, { kind: 'auto-reply' as const, reason: 'Precedence: list' }],
    ]);
    const outbound = new Map<number, OutboundEmail[]>([
      [3, [{ id: 'o1', externalId: '<o1@desk.example>', ticketId: 't1', recipient: 'a@client.example', status: 'sent' }]],
    ]);
    const plan = round(
      [
        email(1, { from: 'helpdesk@desk.example' }),
        email(2, { from: 'mailer-daemon@mx.client.example' }),
        email(3, { from: 'mailer-daemon@mx.client.example' }),
        email(4, { from: 'list@lists.client.example' }),
        email(5, { from: storm }),
      ],
      lookups({ kinds, outbound, fromSender: new Map([[storm, 3]]) }),
    );
    expect(plan.taken.map((p) => [p.waiting.uid, p.step.action, p.step.action === 'filter' ? p.step.code : null])).toEqual([
      [1, 'filter', 'loop'],
      [2, 'filter', 'bounce'],
      [3, 'filter', 'bounce'],
      [4, 'filter', 'automatic'],
      [5, 'filter', 'rate_limited'],
    ]);
  });

  it('waits with a token naming no ticket once the round opened one', () => {
    const token = email(2, { from: 'b@client.example', subject: 'Re: [HD-1002] printer' });
    expect(deferred(round([email(1, { from: 'a@client.example' }), token], lookups()))).toEqual([2]);
    expect(steps(round([token], lookups()))).toEqual([[2, 'open']]);
  });
});

import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gen } from '../../support/prng.js';
import { DESK_DOMAIN, createMailDesk, fixture, mail, type MailDesk } from './mail-desk.js';

/**
 * One email is a batch of one: the same backlog read once a message at a time (a FETCH batch of one,
 * so every round plans a single email) and once all at once (one batch, rounds deferring what depends
 * on another email of it) must leave the same tickets, messages, events, watchers, attachments and
 * notifications. Each run has a fresh database and mailbox; before the backlog, both get the same
 * tickets from "before the outage" in the same states (assigned, resolved, closed long ago, closed
 * lately and unrated, pending, new) and the same outbound emails.
 *
 * The backlog is drawn from a seeded generator (DIFF_SEED replays one, DIFF_BACKLOG sets its
 * length): new requests (some copying a colleague, some with a file, some from a web form with
 * Reply-To), replies by References to the tickets from before and to requests of the backlog itself,
 * replies by subject token from the requester, forged tokens from strangers, a token naming no ticket, out-of-office replies (to a
 * ticket, to nothing), delivery reports (failed, delayed) naming our emails, our own mail coming back
 * (X-Loop, our address, our Message-ID), one sender past the storm cap, replies piling past a
 * ticket's cap, survey answers, and redeliveries of the same message.
 *
 * Ticket numbers given during the backlog follow the order tickets are opened, which a batch may
 * change (a conversation that depends on itself is stored after the others): tickets are compared by
 * the Message-ID of their first email, and a number named in an event by the ticket it names.
 */

const SEED = Number(process.env.DIFF_SEED ?? 20_261_203);
const BACKLOG = Number(process.env.DIFF_BACKLOG ?? 90);
const CAPS = { senderMessages: 4, senderWindowMinutes: 10, ticketMessages: 4, ticketWindowMinutes: 60 };
const BEFORE = 8;
const US = `helpdesk@${DESK_DOMAIN}`;

const beforeId = (k: number) => `before-${k}@client.example`;
const outboundId = (k: number) => `out-${k}@${DESK_DOMAIN}`;

/** The tickets from before the outage: one request each, from pre<k>@. */
function beforeMails(): string[] {
  return Array.from({ length: BEFORE }, (_, k) =>
    mail({
      from: `Pre ${k} <pre${k}@client.example>`,
      subject: `Old problem ${k}`,
      body: `Old problem number ${k}.`,
      messageId: beforeId(k),
    }),
  );
}

/** The backlog, drawn from the seed; `numbers[k]` is the number of the k-th ticket from before. */
function backlog(gen: Gen, numbers: readonly number[]): string[] {
  const out: string[] = [];
  const requests: { id: string; from: string; subject: string }[] = [];
  const id = (i: number) => `backlog-${SEED}-${i}@client.example`;
  for (let i = 0; i < BACKLOG; i++) {
    // The first emails go through every kind once, whatever the seed; then the seed draws.
    const first = i < 17;
    const roll = first ? i : gen.int(20);
    // A ticket from before; in the first pass a fixed one, never the one closed lately that the survey's answer rates.
    const pre = (fixed: number) => (first ? fixed : gen.int(BEFORE));
    const messageId = id(i);
    if (roll <= 4 || (roll === 5 && requests.length === 0)) {
      const from = `New ${i} <new${i}@client.example>`;
      const subject = `Request ${i}`;
      out.push(
        mail({
          from,
          subject,
          body: `Request number ${i}.`,
          messageId,
          ...(gen.chance(0.2) ? { cc: `Colleague <colleague${gen.int(3)}@client.example>` } : {}),
          ...(gen.chance(0.15)
            ? { attachments: [{ name: `log${i}.txt`, content: Buffer.from(`log line ${i}`), type: 'text/plain' }] }
            : {}),
          ...(gen.chance(0.1) ? { headers: { 'Reply-To': `Person ${i} <person${i}@client.example>` } } : {}),
        }),
      );
      requests.push({ id: messageId, from, subject });
    } else if (roll === 5) {
      // A reply to a request of this very backlog.
      const earlier = gen.pick(requests);
      out.push(
        mail({
          from: earlier.from,
          subject: `Re: ${earlier.subject}`,
          body: `It got worse (${i}).\r\n\r\nOn Monday, someone wrote:\r\n> ${earlier.subject}`,
          messageId,
          inReplyTo: earlier.id,
          references: [earlier.id],
        }),
      );
    } else if (roll <= 7) {
      // A reply by References to a ticket from before, from its requester or a colleague.
      const k = pre(roll === 6 ? 0 : 1);
      const asRequester = first ? roll === 6 : gen.chance(0.7);
      const from = asRequester ? `Pre ${k} <pre${k}@client.example>` : `Colleague <colleague${gen.int(3)}@client.example>`;
      out.push(
        mail({
          from,
          subject: `Re: Old problem ${k}`,
          body: `Still there (${i}).`,
          messageId,
          inReplyTo: beforeId(k),
          references: [beforeId(k)],
        }),
      );
    } else if (roll === 8) {
      const k = pre(4);
      out.push(
        mail({
          from: `Pre ${k} <pre${k}@client.example>`,
          subject: `RE: [HD-${numbers[k]}] Old problem ${k}`,
          body: `Screenshot ${i}.`,
          messageId,
        }),
      );
    } else if (roll === 9) {
      const k = pre(5);
      const number = gen.chance(0.2) ? 999_999 : numbers[k];
      out.push(
        mail({
          from: `Mallory <mallory${gen.int(2)}@client.example>`,
          subject: `[HD-${number}] let me in`,
          body: `Guess ${i}.`,
          messageId,
        }),
      );
    } else if (roll === 10) {
      const k = pre(6);
      const to = first || gen.chance(0.7) ? { inReplyTo: beforeId(k) } : { inReplyTo: `nothing-${i}@client.example` };
      out.push(
        mail({
          from: `Away ${k} <pre${k}@client.example>`,
          subject: `Absent: Old problem ${k}`,
          body: 'I am away until Monday.',
          messageId,
          ...to,
          headers: { 'Auto-Submitted': 'auto-replied' },
        }),
      );
    } else if (roll === 11) {
      const k = gen.int(5);
      const name = first || gen.chance(0.7) ? 'dsn-postfix-failed.eml' : 'dsn-postfix-delayed.eml';
      out.push(
        fixture(name, {
          'hd-1049.20260303T120000.a36b7d@helpdesk.acme.example': outboundId(k),
          'hd-1053.20260303T115840.7e9f0a@helpdesk.acme.example': outboundId(k),
          '20260303120005.4ZkF6g7H8i9z9sIj@mx1.acme.example': `dsn-${i}@mx1.acme.example`,
        }),
      );
    } else if (roll === 12) {
      const loops = [
        () => mail({ from: `Helpdesk <${US}>`, subject: 'Re: your ticket', body: 'Our own mail.', messageId }),
        () => mail({ from: 'Relay <relay@client.example>', subject: 'Fwd: ticket', body: 'Looped.', messageId, headers: { 'X-Loop': US } }),
        () =>
          mail({
            from: 'Echo <echo@client.example>',
            subject: 'Echo',
            body: 'Ours.',
            messageId: `0b1c2d3e-0000-4000-8000-${String(i).padStart(12, '0')}@${DESK_DOMAIN}`,
          }),
      ];
      out.push(gen.pick(loops)());
    } else if (roll === 13) {
      out.push(mail({ from: 'Monitor <storm@client.example>', subject: `Alert ${i}`, body: `Alert number ${i}.`, messageId }));
    } else if (roll === 14) {
      // Replies piling on one ticket from before, past its cap.
      const from = gen.chance(0.5) ? 'Pre 5 <pre5@client.example>' : 'Colleague <colleague9@client.example>';
      out.push(
        mail({ from, subject: 'Re: Old problem 5', body: `Update ${i}.`, messageId, inReplyTo: beforeId(5), references: [beforeId(5)] }),
      );
    } else if (roll === 15) {
      // A bare digit: the survey's answer from the requester of the ticket closed lately, or a message from anyone else.
      const from = first || gen.chance(0.6) ? 'Pre 3 <pre3@client.example>' : `Digit <digit${gen.int(2)}@client.example>`;
      out.push(mail({ from, subject: 'Re: your ticket is closed', body: String(1 + gen.int(5)), messageId }));
    } else if (roll === 16 && out.length > 0) {
      out.push(gen.pick(out));
    } else {
      out.push(mail({ from: `Walk-in <walkin${i}@client.example>`, subject: `Walk-in ${i}`, body: `Walk-in request ${i}.`, messageId }));
    }
  }
  return out;
}

/** The desk before the outage: the same tickets in the same states, the same outbound emails. */
async function setUpBefore(m: MailDesk): Promise<number[]> {
  for (const raw of beforeMails()) await m.deliver(raw);
  const reader = await m.startReader({ caps: CAPS });
  await m.caughtUp();
  await reader.stop();
  const tickets = await rows<{ id: string; number: number; external_id: string }>(
    m,
    `SELECT t.id, t.number, m.external_id FROM tickets t JOIN messages m ON m.ticket_id = t.id AND m.direction = 'in' ORDER BY t.number`,
  );
  const byK = Array.from({ length: BEFORE }, (_, k) => {
    const ticket = tickets.find((t) => t.external_id === beforeId(k));
    if (!ticket) throw new Error(`no ticket for ${beforeId(k)}`);
    return ticket;
  });
  const tech = await m.desk.services.store.technicians.create({
    name: 'Tess',
    phone: '+33700000042',
    tier: 1,
    skills: [],
    maxLoad: 5,
    available: true,
    onCall: false,
  });
  const sql = m.desk.sequelize;
  const set = (k: number, assignments: string) =>
    sql.query(`UPDATE tickets SET ${assignments} WHERE id = :id`, { replacements: { id: byK[k]!.id, tech: tech.id } });
  await set(0, `status = 'assigned', assignee_id = :tech`);
  await set(1, `status = 'resolved', resolved_at = now(), resolution = 'Fixed.'`);
  await set(
    2,
    `status = 'closed', resolved_at = now() - interval '90 days', closed_at = now() - interval '90 days', resolution = 'Fixed.'`,
  );
  await set(3, `status = 'closed', resolved_at = now() - interval '2 days', closed_at = now() - interval '2 days', resolution = 'Fixed.'`);
  await set(4, `status = 'pending', assignee_id = :tech`);
  for (let k = 0; k < 5; k++) {
    await m.desk.services.store.transaction((tx) =>
      tx.messages.record({
        ticketId: byK[k]!.id,
        direction: 'out',
        channel: 'email',
        sender: US,
        recipient: `pre${k}@client.example`,
        subject: 'acknowledgement',
        body: 'We received your request.',
        externalId: `<${outboundId(k)}>`,
        status: 'sent',
      }),
    );
  }
  return byK.map((t) => t.number);
}

async function rows<T extends object>(m: MailDesk, sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
  return m.desk.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** Everything the intake wrote, without ids, moments or the mailbox's name; tickets by their first email. */
async function snapshot(m: MailDesk) {
  const tickets = await rows<{
    id: string;
    number: number;
    subject: string;
    status: string;
    priority: string;
    satisfaction: number | null;
    linked: string | null;
    requester: string | null;
    first: string | null;
  }>(
    m,
    `SELECT t.id, t.number, t.subject, t.status, t.priority, t.satisfaction, t.linked_ticket_id AS linked, r.emails[1] AS requester,
            (SELECT external_id FROM messages x WHERE x.ticket_id = t.id AND x.direction = 'in' ORDER BY x.at, x.id LIMIT 1) AS first
       FROM tickets t JOIN requesters r ON r.id = t.requester_id`,
  );
  const key = new Map(tickets.map((t) => [t.id, `ticket<${t.first ?? t.subject}>`]));
  const byNumber = new Map(tickets.map((t) => [String(t.number), key.get(t.id) ?? '?']));
  const requesters = await rows<{ id: string; email: string | null }>(m, 'SELECT id, emails[1] AS email FROM requesters');
  const people = new Map(requesters.map((r) => [r.id, `requester<${r.email ?? '?'}>`]));
  const clean = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value ?? null)
        .replace(/HD-(\d+)/g, (_, n: string) => `HD-${byNumber.get(n) ?? n}`)
        .replace(/imap:\/\/[^"]*/g, '<mailbox>')
        .replace(UUID, (id) => key.get(id) ?? people.get(id) ?? '<id>')
        .replace(ISO, '<moment>'),
    );
  const grouped = <T extends { ticket_id: string | null }>(list: T[], shape: (row: T) => unknown) => {
    const out: Record<string, unknown[]> = {};
    for (const row of list) (out[key.get(row.ticket_id ?? '') ?? 'none'] ??= []).push(clean(shape(row)));
    return out;
  };

  const messages = await rows<Record<string, unknown> & { ticket_id: string | null }>(
    m,
    `SELECT ticket_id, direction, channel, sender, recipient, subject, body, quoted, external_id, status, error
       FROM messages ORDER BY at, id`,
  );
  const events = await rows<{ ticket_id: string; type: string; actor: string; data: unknown }>(
    m,
    'SELECT ticket_id, type, actor, data FROM ticket_events ORDER BY id',
  );
  const watchers = await rows<{ ticket_id: string; email: string | null }>(
    m,
    'SELECT ticket_id, email FROM ticket_watchers ORDER BY email',
  );
  const attachments = await rows<{ ticket_id: string; filename: string; sha256: string | null; external_id: string | null }>(
    m,
    `SELECT a.ticket_id, a.filename, a.sha256, x.external_id FROM attachments a LEFT JOIN messages x ON x.id = a.message_id
      ORDER BY x.external_id, a.filename`,
  );
  const outbox = await rows<{ ticket_id: string | null; kind: string; channel: string; recipient: string }>(
    m,
    'SELECT ticket_id, kind, channel, recipient FROM outbox',
  );
  const quarantine = await rows<{ reason: string }>(m, 'SELECT reason FROM quarantine ORDER BY reason');
  const sortedOutbox = grouped(outbox, (o) => `${o.kind} ${o.channel} ${o.recipient}`);
  for (const list of Object.values(sortedOutbox)) list.sort();
  return {
    tickets: Object.fromEntries(
      tickets
        .map((t) => [
          key.get(t.id) ?? '?',
          clean({
            subject: t.subject,
            status: t.status,
            priority: t.priority,
            satisfaction: t.satisfaction,
            requester: t.requester,
            linked: t.linked,
          }),
        ])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
    messages: grouped(messages, ({ ticket_id: _ticket, ...rest }) => rest),
    events: grouped(events, (e) => ({ type: e.type, actor: e.actor, data: e.data })),
    watchers: grouped(watchers, (w) => w.email),
    attachments: grouped(attachments, (a) => [a.filename, a.sha256, a.external_id]),
    outbox: sortedOutbox,
    quarantine: quarantine.map((q) => q.reason),
  };
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** The backlog through a desk of its own, read `perFetch` messages at a time. */
async function run(
  perFetch: number,
  mails: { current: string[] | null },
): Promise<{ snapshot: Snapshot; numbers: number[]; moments: number }> {
  const m = await createMailDesk();
  try {
    const numbers = await setUpBefore(m);
    mails.current ??= backlog(new Gen(SEED), numbers);
    for (const raw of mails.current) await m.deliver(raw);
    await m.startReader({ caps: CAPS, batch: { messages: perFetch } });
    await m.caughtUp();
    // now() is a transaction's start: the tickets' distinct creation moments count the transactions that opened them.
    const [opened] = await rows<{ n: number }>(m, 'SELECT count(DISTINCT created_at)::int AS n FROM tickets');
    return { snapshot: await snapshot(m), numbers, moments: opened?.n ?? 0 };
  } finally {
    await m.close();
  }
}

describe(`the same backlog in batches of one and all at once (seed ${SEED})`, () => {
  let one: { snapshot: Snapshot; numbers: number[]; moments: number };
  let all: { snapshot: Snapshot; numbers: number[]; moments: number };

  beforeAll(async () => {
    const mails = { current: null as string[] | null };
    one = await run(1, mails);
    all = await run(1_000, mails);
  }, 120_000);
  afterAll(() => {});

  it('starts from the same tickets', () => {
    expect(all.numbers).toEqual(one.numbers);
  });

  it('leaves the same tickets', () => {
    expect(Object.keys(one.snapshot.tickets).length).toBeGreaterThan(BEFORE);
    expect(all.snapshot.tickets).toEqual(one.snapshot.tickets);
  });

  it('leaves the same messages on each ticket, in the same order', () => {
    expect(all.snapshot.messages).toEqual(one.snapshot.messages);
  });

  it('leaves the same events on each ticket, in the same order', () => {
    expect(all.snapshot.events).toEqual(one.snapshot.events);
  });

  it('leaves the same watchers, attachments, notifications and quarantine', () => {
    expect(all.snapshot.watchers).toEqual(one.snapshot.watchers);
    expect(all.snapshot.attachments).toEqual(one.snapshot.attachments);
    expect(all.snapshot.outbox).toEqual(one.snapshot.outbox);
    expect(all.snapshot.quarantine).toEqual(one.snapshot.quarantine);
  });

  it('stored the backlog in far fewer transactions all at once', () => {
    expect(all.moments * 2).toBeLessThan(one.moments);
  });

  it('went through every kind of email', () => {
    const types = new Set(Object.values(one.snapshot.events).flatMap((list) => list.map((e) => (e as { type: string }).type)));
    for (const type of ['created', 'requester_replied', 'watcher_replied', 'auto_reply_received', 'notification_bounced', 'satisfaction']) {
      expect(types).toContain(type);
    }
  });
});

import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createMailDesk,
  eventually,
  mail,
  newMessageId,
  recordOutbound,
  refuseTicketsWithSubject,
  ticketsFrom,
  type MailDesk,
} from './mail-desk.js';

/**
 * Mail that piled up while the desk was away, read in one go: the batch's new requests are stored
 * together (receive-requests.ts), everything else one by one, and each email still becomes exactly
 * what it would have become alone.
 */

async function rows<T extends object>(m: MailDesk, sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
  return m.desk.services.store.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
}

describe('a backlog of requests, replies and redeliveries', () => {
  let m: MailDesk;
  const requestIds: string[] = [];
  let earlier: { id: string; number: number };
  let ourAck: string;

  beforeAll(async () => {
    m = await createMailDesk();
    // A ticket from before the outage, and the acknowledgement we sent for it.
    await m.startReader().then(async (reader) => {
      await m.deliver(mail({ from: 'Old Timer <old@client.example>', subject: 'Scanner offline', body: 'The scanner is offline.' }));
      const [ticket] = await eventually(async () => {
        const found = await ticketsFrom(m.desk, 'old@client.example');
        return found.length > 0 && found;
      }, 'the earlier ticket');
      earlier = { id: ticket!.id, number: ticket!.number };
      await reader.stop();
    });
    ourAck = await recordOutbound(m.desk, earlier.id, 'old@client.example');

    // The backlog: 30 requests from 30 people, one of them copied to a colleague and one with a
    // file; a reply to the 4th request; the 6th delivered twice; a reply to our acknowledgement.
    for (let i = 0; i < 30; i++) {
      const id = newMessageId();
      requestIds.push(id);
      await m.deliver(
        mail({
          from: `Person ${i} <person${i}@client.example>`,
          subject: `Request ${i}`,
          body: `Request number ${i}.`,
          messageId: id,
          ...(i === 20 ? { cc: 'Boss <boss@client.example>' } : {}),
          ...(i === 10 ? { attachments: [{ name: 'error.log', content: Buffer.from('disk error 0x1F'), type: 'text/plain' }] } : {}),
        }),
      );
      if (i === 3) {
        await m.deliver(
          mail({
            from: 'Person 3 <person3@client.example>',
            subject: 'Re: Request 3',
            body: 'It got worse.\r\n\r\nOn Monday, Person 3 wrote:\r\n> Request number 3.',
            inReplyTo: id,
            references: [id],
          }),
        );
      }
      if (i === 6) await m.deliver(mail({ from: 'Person 6 <person6@client.example>', subject: 'Request 6', body: 'Request number 6.', messageId: id }));
    }
    await m.deliver(
      mail({ from: 'Old Timer <old@client.example>', subject: `Re: [HD-${earlier.number}] Scanner offline`, body: 'Still offline.', inReplyTo: ourAck, references: [ourAck] }),
    );
    await m.startReader();
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('opens one ticket per request, each acknowledged, numbered apart', async () => {
    const tickets = await rows<{ email: string; number: number; subject: string; acks: number }>(
      m,
      `SELECT r.emails[1] AS email, t.number, t.subject,
              (SELECT count(*)::int FROM outbox o WHERE o.ticket_id = t.id AND o.kind = 'requester.created') AS acks
         FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] LIKE 'person%' ORDER BY t.number`,
    );
    expect(tickets).toHaveLength(30);
    expect(new Set(tickets.map((t) => t.email)).size).toBe(30);
    expect(new Set(tickets.map((t) => t.number)).size).toBe(30);
    expect(tickets.filter((t) => t.subject !== `Request ${/person(\d+)@/.exec(t.email)?.[1]}`)).toEqual([]);
    // The requester, and the colleague in copy of request 20.
    expect(tickets.filter((t) => t.acks !== (t.email === 'person20@client.example' ? 2 : 1))).toEqual([]);
  });

  it('writes the plain requests together, in one transaction', async () => {
    // Postgres's now() is the transaction's start: stored one by one, each ticket would have its own.
    // Requests 3 (replied to in the backlog) and 6 (delivered twice) go one by one.
    const [row] = await rows<{ together: number; apart: number }>(
      m,
      `SELECT count(DISTINCT t.created_at) FILTER (WHERE r.emails[1] NOT IN ('person3@client.example', 'person6@client.example'))::int AS together,
              count(DISTINCT t.created_at)::int AS apart
         FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] LIKE 'person%'`,
    );
    expect(row).toEqual({ together: 1, apart: 3 });
  });

  it('keeps the CC as a watcher and the attachment with its message', async () => {
    const [cc] = await ticketsFrom(m.desk, 'person20@client.example');
    expect(await rows(m, 'SELECT email FROM ticket_watchers WHERE ticket_id = :id', { id: cc!.id })).toEqual([{ email: 'boss@client.example' }]);
    const [withFile] = await ticketsFrom(m.desk, 'person10@client.example');
    const files = await rows<{ filename: string; content: Buffer; external_id: string }>(
      m,
      'SELECT a.filename, a.content, m.external_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.ticket_id = :id',
      { id: withFile!.id },
    );
    expect(files.map((f) => [f.filename, f.content.toString().trim(), f.external_id])).toEqual([['error.log', 'disk error 0x1F', requestIds[10]]]);
  });

  it('puts a reply to a request of the same backlog on that request’s ticket', async () => {
    const tickets = await ticketsFrom(m.desk, 'person3@client.example');
    expect(tickets).toHaveLength(1);
    const messages = await rows<{ body: string }>(m, `SELECT body FROM messages WHERE ticket_id = :id AND direction = 'in' ORDER BY at, id`, { id: tickets[0]!.id });
    expect(messages.map((msg) => msg.body.trim())).toEqual(['Request number 3.', 'It got worse.']);
  });

  it('puts a reply to our acknowledgement on the earlier ticket', async () => {
    expect((await ticketsFrom(m.desk, 'old@client.example')).map((t) => t.number)).toEqual([earlier.number]);
    expect(await countRows(m.desk, `messages WHERE ticket_id = :id AND direction = 'in'`, { id: earlier.id })).toBe(2);
  });

  it('records a request delivered twice once', async () => {
    const tickets = await ticketsFrom(m.desk, 'person6@client.example');
    expect(tickets).toHaveLength(1);
    expect(await countRows(m.desk, `messages WHERE external_id = :id`, { id: requestIds[6] })).toBe(1);
  });
});

describe('a backlog with one email the store refuses', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk();
    await refuseTicketsWithSubject(m.desk, 'Poison pill');
    for (let i = 0; i < 12; i++) {
      const subject = i === 5 ? 'Poison pill' : `Request ${i}`;
      await m.deliver(mail({ from: `batch${i}@client.example`, subject, body: `Body ${i}.` }));
    }
    await m.startReader();
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('quarantines that one and opens a ticket for every other', async () => {
    for (let i = 0; i < 12; i++) {
      expect(await ticketsFrom(m.desk, `batch${i}@client.example`)).toHaveLength(i === 5 ? 0 : 1);
    }
    const quarantined = await rows<{ reason: string; raw: Buffer }>(m, 'SELECT reason, raw FROM quarantine');
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.reason).toContain('refused by the test');
    expect(quarantined[0]?.raw.toString()).toContain('Subject: Poison pill');
    expect(await countRows(m.desk, `outbox WHERE kind = 'requester.created'`)).toBe(11);
  });
});

describe('a backlog from one sender past the storm cap', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk();
    for (let i = 0; i < 5; i++) await m.deliver(mail({ from: 'storm@client.example', subject: `Alert ${i}`, body: `Alert number ${i}.` }));
    await m.startReader({ caps: { senderMessages: 3, senderWindowMinutes: 10, ticketMessages: 100, ticketWindowMinutes: 60 } });
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('opens tickets up to the cap and records the rest on the latest, as one by one', async () => {
    const tickets = await ticketsFrom(m.desk, 'storm@client.example');
    expect(tickets.map((t) => t.subject)).toEqual(['Alert 0', 'Alert 1', 'Alert 2']);
    const onLatest = await rows<{ body: string }>(m, `SELECT body FROM messages WHERE ticket_id = :id ORDER BY at, id`, { id: tickets[2]!.id });
    expect(onLatest.map((msg) => msg.body.trim())).toEqual(['Alert number 2.', 'Alert number 3.', 'Alert number 4.']);
    expect(await countRows(m.desk, `outbox WHERE kind = 'requester.created'`)).toBe(3);
  });
});

describe('a subject cut at 500 characters through an emoji', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk();
    await m.startReader();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('still opens its ticket and queues its acknowledgement', async () => {
    // 499 characters, then an emoji (two UTF-16 units): the 500th is half of it.
    const subject = `${'Printer '.repeat(62)}xxx🖨 jammed`;
    await m.deliver(mail({ from: 'emoji@client.example', subject: `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`, body: 'See subject.' }));
    const [ticket] = await eventually(async () => {
      const found = await ticketsFrom(m.desk, 'emoji@client.example');
      return found.length > 0 && found;
    }, 'the ticket');
    expect(ticket!.subject.startsWith('Printer Printer')).toBe(true);
    expect(await countRows(m.desk, 'quarantine')).toBe(0);
    expect(await countRows(m.desk, `outbox WHERE ticket_id = :id AND kind = 'requester.created'`, { id: ticket!.id })).toBe(1);
  });
});

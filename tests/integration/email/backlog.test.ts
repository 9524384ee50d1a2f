import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createMailDesk,
  mail,
  newMessageId,
  recordOutbound,
  refuseTicketsWithSubject,
  ticketsFrom,
  type MailDesk,
} from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Mail that piled up while the desk was away, read in one go: a batch's requests, replies and
 * automatic answers are stored together (receive-batch.ts), what depends on another email of the
 * batch one by one, and each email still becomes exactly what it would have become alone.
 */

async function rows<T extends object>(m: MailDesk, sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
  return m.desk.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
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
      const [ticket] = await waitFor('the earlier ticket', async () => {
        const found = await ticketsFrom(m.desk, 'old@client.example');
        return found.length > 0 && found;
      });
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
      if (i === 6)
        await m.deliver(
          mail({ from: 'Person 6 <person6@client.example>', subject: 'Request 6', body: 'Request number 6.', messageId: id }),
        );
    }
    await m.deliver(
      mail({
        from: 'Old Timer <old@client.example>',
        subject: `Re: [HD-${earlier.number}] Scanner offline`,
        body: 'Still offline.',
        inReplyTo: ourAck,
        references: [ourAck],
      }),
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

  it('writes the plain requests together, in one transaction, with the reply to one of them', async () => {
    // Postgres's now() is the transaction's start: stored one by one, each ticket would have its own.
    // Request 3 and the reply to it go with the others (the reply joins the ticket the request opens,
    // in the same round); request 6 (delivered twice) goes apart.
    const [row] = await rows<{ together: number; apart: number }>(
      m,
      `SELECT count(DISTINCT t.created_at) FILTER (WHERE r.emails[1] <> 'person6@client.example')::int AS together,
              count(DISTINCT t.created_at)::int AS apart
         FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] LIKE 'person%'`,
    );
    expect(row).toEqual({ together: 1, apart: 2 });
  });

  it('keeps the CC as a watcher and the attachment with its message', async () => {
    const [cc] = await ticketsFrom(m.desk, 'person20@client.example');
    expect(await rows(m, 'SELECT email FROM ticket_watchers WHERE ticket_id = :id', { id: cc!.id })).toEqual([
      { email: 'boss@client.example' },
    ]);
    const [withFile] = await ticketsFrom(m.desk, 'person10@client.example');
    const files = await rows<{ filename: string; content: Buffer; external_id: string }>(
      m,
      'SELECT a.filename, a.content, m.external_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.ticket_id = :id',
      { id: withFile!.id },
    );
    expect(files.map((f) => [f.filename, f.content.toString().trim(), f.external_id])).toEqual([
      ['error.log', 'disk error 0x1F', requestIds[10]],
    ]);
  });

  it('puts a reply to a request of the same backlog on that request’s ticket', async () => {
    const tickets = await ticketsFrom(m.desk, 'person3@client.example');
    expect(tickets).toHaveLength(1);
    const messages = await rows<{ body: string }>(
      m,
      `SELECT body FROM messages WHERE ticket_id = :id AND direction = 'in' ORDER BY at, id`,
      { id: tickets[0]!.id },
    );
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
    const onLatest = await rows<{ body: string }>(m, `SELECT body FROM messages WHERE ticket_id = :id ORDER BY at, id`, {
      id: tickets[2]!.id,
    });
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
    await m.deliver(
      mail({ from: 'emoji@client.example', subject: `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`, body: 'See subject.' }),
    );
    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFrom(m.desk, 'emoji@client.example');
      return found.length > 0 && found;
    });
    expect(ticket!.subject.startsWith('Printer Printer')).toBe(true);
    expect(await countRows(m.desk, 'quarantine')).toBe(0);
    expect(await countRows(m.desk, `outbox WHERE ticket_id = :id AND kind = 'requester.created'`, { id: ticket!.id })).toBe(1);
  });
});

describe('a backlog of answers to tickets from before the outage', () => {
  let m: MailDesk;
  const before: Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank', { id: string; number: number; messageId: string }> =
    {} as never;
  let lastEventBefore = 0;

  const open = async (who: keyof typeof before) => {
    const messageId = newMessageId();
    await m.deliver(mail({ from: `${who} <${who}@client.example>`, subject: `Problem of ${who}`, body: `${who}'s problem.`, messageId }));
    const [ticket] = await waitFor(`${who}'s ticket`, async () => {
      const found = await ticketsFrom(m.desk, `${who}@client.example`);
      return found.length > 0 && found;
    });
    before[who] = { id: ticket!.id, number: ticket!.number, messageId };
  };

  beforeAll(async () => {
    m = await createMailDesk();
    const reader = await m.startReader();
    for (const who of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const) await open(who);
    await reader.stop();
    const sql = m.desk.sequelize;
    const tech = await m.desk.services.store.technicians.create({
      name: 'Tess',
      phone: '+33700000042',
      tier: 1,
      skills: [],
      maxLoad: 5,
      available: true,
      onCall: false,
    });
    await sql.query(`UPDATE tickets SET status = 'assigned', assignee_id = :tech WHERE id = :id`, {
      replacements: { tech: tech.id, id: before.alice.id },
    });
    await sql.query(`UPDATE tickets SET status = 'resolved', resolved_at = now(), resolution = 'Fixed.' WHERE id = :id`, {
      replacements: { id: before.bob.id },
    });
    await sql.query(
      `UPDATE tickets SET status = 'closed', resolved_at = now() - interval '90 days', closed_at = now() - interval '90 days', resolution = 'Fixed.' WHERE id = :id`,
      {
        replacements: { id: before.carol.id },
      },
    );
    const [mark] = await rows<{ id: number }>(m, 'SELECT coalesce(max(id), 0)::int AS id FROM ticket_events');
    lastEventBefore = mark!.id;

    const reply = (who: keyof typeof before, body: string) =>
      mail({
        from: `${who} <${who}@client.example>`,
        subject: `Re: Problem of ${who}`,
        body,
        inReplyTo: before[who].messageId,
        references: [before[who].messageId],
      });
    await m.deliver(reply('alice', 'Still broken.\r\n\r\nOn Monday, alice wrote:\r\n> alice’s problem.'));
    await m.deliver(reply('bob', 'It broke again.'));
    await m.deliver(reply('carol', 'Same thing, months later.'));
    await m.deliver(
      mail({
        from: 'dave <dave@client.example>',
        subject: 'Absent: Problem of dave',
        body: 'I am away until Monday.',
        inReplyTo: before.dave.messageId,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    await m.deliver(
      mail({
        from: 'erin <erin@client.example>',
        subject: `RE: [HD-${before.erin.number}] Problem of erin`,
        body: 'Here is the screenshot.',
      }),
    );
    await m.deliver(
      mail({ from: 'mallory <mallory@client.example>', subject: `[HD-${before.frank.number}] let me in`, body: 'Guessing numbers.' }),
    );
    await m.deliver(
      mail({
        from: 'zed <zed@client.example>',
        subject: 'Out of office',
        body: 'Away.',
        inReplyTo: newMessageId(),
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    await m.deliver(mail({ from: 'newbie <newbie@client.example>', subject: 'My first request', body: 'Hello, nothing works.' }));
    await m.startReader();
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  const inbound = (ticketId: string) =>
    rows<{ body: string; quoted: string | null }>(
      m,
      `SELECT body, quoted FROM messages WHERE ticket_id = :ticketId AND direction = 'in' ORDER BY at, id`,
      { ticketId },
    );

  it('puts a reply on its ticket, quoted history apart, and tells the assigned technician', async () => {
    const messages = await inbound(before.alice.id);
    expect(messages.map((msg) => msg.body.trim())).toEqual(["alice's problem.", 'Still broken.']);
    expect(messages[1]?.quoted).toContain('alice’s problem.');
    const told = await rows<{ recipient: string }>(
      m,
      `SELECT recipient FROM outbox WHERE ticket_id = :id AND kind = 'technician.requester-replied'`,
      { id: before.alice.id },
    );
    expect(told).toEqual([{ recipient: '+33700000042' }]);
  });

  it('reopens a resolved ticket it answers, and opens a linked ticket for one closed long ago', async () => {
    expect((await ticketsFrom(m.desk, 'bob@client.example')).map((t) => t.status)).toEqual(['new']);
    const carol = await ticketsFrom(m.desk, 'carol@client.example');
    expect(carol.map((t) => [t.status, t.linked_ticket_id])).toEqual([
      ['closed', null],
      ['new', before.carol.id],
    ]);
  });

  it('records the out-of-office on its ticket and answers nobody; drops one that answers nothing', async () => {
    expect(await countRows(m.desk, `ticket_events WHERE ticket_id = :id AND type = 'auto_reply_received'`, { id: before.dave.id })).toBe(1);
    expect(await countRows(m.desk, `outbox WHERE ticket_id = :id AND id > 0 AND kind <> 'requester.created'`, { id: before.dave.id })).toBe(
      0,
    );
    expect(await ticketsFrom(m.desk, 'zed@client.example')).toEqual([]);
    expect(await countRows(m.desk, `messages WHERE sender = 'zed@client.example'`)).toBe(0);
  });

  it('follows a subject token from the requester, not from a stranger', async () => {
    expect((await inbound(before.erin.id)).map((msg) => msg.body.trim())).toEqual(["erin's problem.", 'Here is the screenshot.']);
    expect((await inbound(before.frank.id)).map((msg) => msg.body.trim())).toEqual(["frank's problem."]);
    expect(await ticketsFrom(m.desk, 'mallory@client.example')).toHaveLength(1);
    expect(await ticketsFrom(m.desk, 'newbie@client.example')).toHaveLength(1);
  });

  it('writes all of it in one transaction', async () => {
    // now() is the transaction's start: every event of the backlog carries the same one.
    const [row] = await rows<{ events: number; moments: number }>(
      m,
      'SELECT count(*)::int AS events, count(DISTINCT at)::int AS moments FROM ticket_events WHERE id > :mark',
      { mark: lastEventBefore },
    );
    expect(row!.events).toBeGreaterThanOrEqual(7);
    expect(row!.moments).toBe(1);
  });
});

describe('two answers to one ticket in a backlog', () => {
  let m: MailDesk;
  let ticket: { id: string; messageId: string };

  beforeAll(async () => {
    m = await createMailDesk();
    const reader = await m.startReader();
    const messageId = newMessageId();
    await m.deliver(
      mail({
        from: 'Pat <pat@client.example>',
        subject: 'Laptop fan',
        body: 'The fan is loud.',
        messageId,
        cc: 'Sam <sam@client.example>',
      }),
    );
    const [found] = await waitFor('the ticket', async () => {
      const tickets = await ticketsFrom(m.desk, 'pat@client.example');
      return tickets.length > 0 && tickets;
    });
    ticket = { id: found!.id, messageId };
    await reader.stop();
    // The requester and the colleague in copy both answer while the desk is away.
    await m.deliver(
      mail({
        from: 'Pat <pat@client.example>',
        subject: 'Re: Laptop fan',
        body: 'Now it smells.',
        inReplyTo: messageId,
        references: [messageId],
      }),
    );
    await m.deliver(
      mail({
        from: 'Sam <sam@client.example>',
        subject: 'Re: Laptop fan',
        body: 'I hear it from my desk.',
        inReplyTo: messageId,
        references: [messageId],
      }),
    );
    await m.startReader();
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('records both on the ticket, each as who wrote it', async () => {
    const events = await rows<{ type: string }>(
      m,
      `SELECT type FROM ticket_events WHERE ticket_id = :id AND type LIKE '%replied' ORDER BY id`,
      { id: ticket.id },
    );
    expect(events.map((e) => e.type)).toEqual(['requester_replied', 'watcher_replied']);
    expect(await ticketsFrom(m.desk, 'sam@client.example')).toEqual([]);
  });
});

describe('a backlog from a sender already past the storm cap, and replies piling on one ticket', () => {
  let m: MailDesk;
  let lastEventBefore = 0;
  const caps = { senderMessages: 2, senderWindowMinutes: 10, ticketMessages: 3, ticketWindowMinutes: 60 };

  beforeAll(async () => {
    m = await createMailDesk();
    const reader = await m.startReader({ caps });
    // Before the outage: the monitor opened two tickets (its cap), Quinn opened one.
    for (const subject of ['Disk full on srv1', 'Disk full on srv2'])
      await m.deliver(mail({ from: 'monitor@client.example', subject, body: `${subject}.` }));
    const quinnId = newMessageId();
    await m.deliver(mail({ from: 'Quinn <quinn@client.example>', subject: 'Slow VPN', body: 'The VPN is slow.', messageId: quinnId }));
    await m.caughtUp();
    await reader.stop();
    const [mark] = await rows<{ id: number }>(m, 'SELECT coalesce(max(id), 0)::int AS id FROM ticket_events');
    lastEventBefore = mark!.id;
    // During it: two more alerts, and Quinn and a colleague answering in turn (the ticket's cap is three emails).
    for (const subject of ['Disk full on srv3', 'Disk full on srv4'])
      await m.deliver(mail({ from: 'monitor@client.example', subject, body: `${subject}.` }));
    for (const [n, from] of [
      'Quinn <quinn@client.example>',
      'Rae <rae@client.example>',
      'Quinn <quinn@client.example>',
      'Rae <rae@client.example>',
    ].entries()) {
      await m.deliver(mail({ from, subject: 'Re: Slow VPN', body: `Update ${n + 1}.`, inReplyTo: quinnId, references: [quinnId] }));
    }
    await m.startReader({ caps });
    await m.caughtUp();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('keeps the alerts on the newest ticket, opening nothing and telling nobody', async () => {
    const tickets = await ticketsFrom(m.desk, 'monitor@client.example');
    expect(tickets.map((t) => t.subject)).toEqual(['Disk full on srv1', 'Disk full on srv2']);
    const onNewest = await rows<{ body: string }>(m, `SELECT body FROM messages WHERE ticket_id = :id`, { id: tickets[1]!.id });
    expect(onNewest.map((msg) => msg.body.trim()).sort()).toEqual(['Disk full on srv2.', 'Disk full on srv3.', 'Disk full on srv4.']);
    expect(await countRows(m.desk, `outbox WHERE ticket_id = :id AND kind <> 'requester.created'`, { id: tickets[1]!.id })).toBe(0);
  });

  it('records every reply on the ticket, the ones past its cap marked capped', async () => {
    const [ticket] = await ticketsFrom(m.desk, 'quinn@client.example');
    const events = await rows<{ type: string; capped: boolean | null }>(
      m,
      `SELECT type, (data->>'capped')::boolean AS capped FROM ticket_events WHERE ticket_id = :id AND type LIKE '%replied' ORDER BY id`,
      { id: ticket!.id },
    );
    // The request is the ticket's first email: two replies fit under the cap of three, the others are past it.
    expect(events.map((e) => [e.type, e.capped ?? false])).toEqual([
      ['requester_replied', false],
      ['watcher_replied', false],
      ['requester_replied', true],
      ['watcher_replied', true],
    ]);
  });

  it('writes all of it in one transaction', async () => {
    const [row] = await rows<{ moments: number }>(m, 'SELECT count(DISTINCT at)::int AS moments FROM ticket_events WHERE id > :mark', {
      mark: lastEventBefore,
    });
    expect(row!.moments).toBe(1);
  });
});

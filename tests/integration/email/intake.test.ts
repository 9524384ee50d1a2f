import request from 'supertest';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { IMAP_PASSWORD } from '../../support/dovecot.js';
import {
  countRows,
  createMailDesk,
  fixture,
  mail,
  newMessageId,
  recordOutbound,
  refuseTicketsWithSubject,
  ticketsFrom,
  type MailDesk,
} from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * The email intake against a real Dovecot: mail delivered into the maildir of a user of this file's
 * own, read over IMAP by the mail role's reader, stored in a database of this file's own.
 */
let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk();
  await m.startReader();
});
afterAll(async () => {
  await m?.close();
});

const api = () => request(m.desk.app);

async function detail(id: number) {
  const res = await api().get(`/api/tickets/${id}`).set(bearer(COORDINATOR_TOKEN));
  expect(res.status).toBe(200);
  return res.body as {
    id: string;
    number: number;
    status: string;
    subject: string;
    watchers: { email?: string }[];
    events: { type: string; data: Record<string, unknown> }[];
    messages: { direction: string; body: string; externalId: string; from: string }[];
  };
}

async function outboxOf(ticketId: string) {
  return m.desk.services.store.outbox.forTicket(ticketId);
}

async function oneTicketOf(address: string) {
  const [ticket] = await waitFor(`a ticket from ${address}`, async () => {
    const rows = await ticketsFrom(m.desk, address);
    return rows.length > 0 && rows;
  });
  return ticket!;
}

describe('a new email', () => {
  it('opens a ticket, with its CC as watchers, its attachment kept, and an acknowledgement queued', async () => {
    const messageId = newMessageId();
    await m.deliver(
      [
        'From: Claire Martin <claire.new@client.example>',
        'To: Helpdesk <helpdesk@desk.example>',
        'Cc: Bob Lee <bob.lee@client.example>, noreply@client.example',
        'Subject: Imprimante du 2e étage en panne',
        `Message-ID: <${messageId}>`,
        'X-Priority: 1 (Highest)',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        "Bonjour, l'imprimante du 2e étage ne répond plus depuis ce matin. Merci !",
        '--b1',
        'Content-Type: text/plain; name="journal.log"',
        'Content-Disposition: attachment; filename="journal.log"',
        '',
        'paper jam at tray 2',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const ticket = await oneTicketOf('claire.new@client.example');
    const full = await detail(ticket.number);
    expect(full.subject).toBe('Imprimante du 2e étage en panne');
    expect(full.watchers).toEqual([{ email: 'bob.lee@client.example' }]);
    expect(full.messages).toHaveLength(1);
    expect(full.messages[0]).toMatchObject({ direction: 'in', externalId: messageId });
    expect(ticket.urgency).toBe('high');

    const [attachment] = await m.desk.sequelize.query<{ filename: string; size: number; content: Buffer; sha256: string }>(
      'SELECT filename, size, content, sha256 FROM attachments WHERE ticket_id = :id',
      { replacements: { id: ticket.id }, type: QueryTypes.SELECT },
    );
    expect(attachment?.filename).toBe('journal.log');
    expect(attachment?.content.toString()).toContain('paper jam');
    expect(attachment?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const outbox = await outboxOf(ticket.id);
    const ack = outbox.filter((row) => row.kind === 'requester.created');
    expect(ack.map((row) => row.recipient)).toContain('claire.new@client.example');
    expect(ack.map((row) => row.recipient)).not.toContain('noreply@client.example');
  });

  it('from a no-reply address opens a ticket but queues no acknowledgement to it', async () => {
    await m.deliver(
      mail({ from: 'Monitoring <no-reply@monitor.example>', subject: 'Disk full on srv-files', body: 'Disk /data is 98% full.' }),
    );
    const ticket = await oneTicketOf('no-reply@monitor.example');
    const outbox = await outboxOf(ticket.id);
    expect(outbox.filter((row) => row.recipient === 'no-reply@monitor.example')).toEqual([]);
  });

  it('a redelivered email (same Message-ID twice) adds nothing', async () => {
    const raw = mail({ from: 'dup@client.example', subject: 'VPN down', body: 'The VPN refuses my password.' });
    await m.deliver(raw);
    const ticket = await oneTicketOf('dup@client.example');
    await m.deliver(raw);
    await m.caughtUp();
    expect(await ticketsFrom(m.desk, 'dup@client.example')).toHaveLength(1);
    expect((await detail(ticket.number)).messages).toHaveLength(1);
    expect(await countRows(m.desk, `outbox WHERE ticket_id = :id`, { id: ticket.id })).toBe(1);
  });
});

describe('a reply', () => {
  it('by References to our email joins the ticket, its quoted history stripped', async () => {
    const first = newMessageId();
    await m.deliver(
      mail({ from: 'Ana <ana@client.example>', subject: 'Cannot print', body: 'The printer shows an error.', messageId: first }),
    );
    const ticket = await oneTicketOf('ana@client.example');
    const ours = await recordOutbound(m.desk, ticket.id, 'ana@client.example');

    await m.deliver(
      mail({
        from: 'Ana <ana@client.example>',
        subject: `Re: [HD-${ticket.number}] Cannot print`,
        inReplyTo: ours,
        references: [first, ours],
        body: [
          'It works again after a restart, thanks.',
          '',
          'On Tue, 3 Mar 2026 at 10:00, Helpdesk <helpdesk@desk.example> wrote:',
          '> We received your request.',
          '> The IT helpdesk',
        ].join('\r\n'),
      }),
    );
    const full = await waitFor('the reply on the ticket', async () => {
      const d = await detail(ticket.number);
      return d.messages.length === 3 && d;
    });
    const reply = full.messages.find((msg) => msg.direction === 'in' && msg.externalId !== first)!;
    expect(reply.body).toBe('It works again after a restart, thanks.');
    const [row] = await m.desk.sequelize.query<{ quoted: string }>(
      `SELECT quoted FROM messages WHERE channel = 'email' AND external_id = :id`,
      { replacements: { id: reply.externalId }, type: QueryTypes.SELECT },
    );
    expect(row?.quoted).toContain('> We received your request.');
    expect(full.events.map((e) => e.type)).toContain('requester_replied');
    expect(await ticketsFrom(m.desk, 'ana@client.example')).toHaveLength(1);
  });

  it('by subject token from the requester joins the ticket', async () => {
    await m.deliver(mail({ from: 'leo@client.example', subject: 'Mailbox full', body: 'My mailbox says it is full.' }));
    const ticket = await oneTicketOf('leo@client.example');
    await m.deliver(
      mail({ from: 'leo@client.example', subject: `RE: [HD-${ticket.number}] Mailbox full`, body: 'Now it also refuses to send.' }),
    );
    const full = await waitFor('the reply', async () => {
      const d = await detail(ticket.number);
      return d.messages.length === 2 && d;
    });
    expect(full.messages[1]?.body).toBe('Now it also refuses to send.');
  });

  it('with a forged subject token from a stranger opens a new ticket instead', async () => {
    await m.deliver(mail({ from: 'victim@client.example', subject: 'Payroll access', body: 'I need access to payroll.' }));
    const victims = await oneTicketOf('victim@client.example');
    await m.deliver(
      mail({ from: 'mallory@elsewhere.example', subject: `[HD-${victims.number}] add me`, body: 'Please send me the files.' }),
    );
    const strangers = await oneTicketOf('mallory@elsewhere.example');
    expect(strangers.id).not.toBe(victims.id);
    expect((await detail(victims.number)).messages).toHaveLength(1);
  });

  it('to a resolved ticket reopens it; to a pending one resumes it', async () => {
    await m.deliver(mail({ from: 'rita@client.example', subject: 'Wi-Fi drops', body: 'The Wi-Fi drops every hour.' }));
    const ticket = await oneTicketOf('rita@client.example');
    const resolved = await api()
      .post(`/api/tickets/${ticket.number}/resolve`)
      .set(bearer(COORDINATOR_TOKEN))
      .send({ resolution: 'Access point replaced.' });
    expect(resolved.status).toBe(200);
    await m.deliver(
      mail({ from: 'rita@client.example', subject: `Re: [HD-${ticket.number}] Wi-Fi drops`, body: 'It dropped again just now.' }),
    );
    const reopened = await waitFor('the ticket reopened', async () => {
      const d = await detail(ticket.number);
      return d.status !== 'resolved' && d;
    });
    expect(reopened.events.map((e) => e.type)).toEqual(expect.arrayContaining(['requester_replied', 'reopened']));

    const pending = await api().patch(`/api/tickets/${ticket.number}`).set(bearer(COORDINATOR_TOKEN)).send({ status: 'pending' });
    expect(pending.status).toBe(200);
    await m.deliver(
      mail({ from: 'rita@client.example', subject: `Re: [HD-${ticket.number}] Wi-Fi drops`, body: 'Here is the answer you asked for.' }),
    );
    await waitFor('the ticket resumed', async () => (await detail(ticket.number)).status === 'in_progress');
  });
});

describe('mail from machines', () => {
  it('an auto-reply to a ticket is recorded on it and sends nothing; to nothing, it is dropped', async () => {
    await m.deliver(mail({ from: 'Elise <elise@client.example>', subject: 'VPN refused', body: 'The VPN refuses me.' }));
    const ticket = await oneTicketOf('elise@client.example');
    const ours = await recordOutbound(m.desk, ticket.id, 'elise@client.example');
    const outboxBefore = await countRows(m.desk, 'outbox');
    const ticketsBefore = await countRows(m.desk, 'tickets');
    await m.deliver(
      fixture('vacation-auto-replied-fr.eml', {
        'elise.bernard@acme.example': 'elise@client.example',
        'hd-1047.20260303T100000.f25a6c@helpdesk.acme.example': ours,
        '[HD-1047]': `[HD-${ticket.number}]`,
      }),
    );
    // And an auto-reply to nothing at all.
    await m.deliver(
      mail({ from: 'away@client.example', subject: 'Out of office', body: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied' } }),
    );
    await m.caughtUp();

    const full = await detail(ticket.number);
    expect(full.events.map((e) => e.type)).toContain('auto_reply_received');
    expect(full.status).toBe('new');
    expect(await countRows(m.desk, 'tickets')).toBe(ticketsBefore);
    expect(await countRows(m.desk, 'outbox')).toBe(outboxBefore);
    expect(await ticketsFrom(m.desk, 'away@client.example')).toEqual([]);
  });

  it('a bounce marks our email failed, a delivery report and a read receipt change nothing; no ticket, no mail', async () => {
    await m.deliver(mail({ from: 'paul@client.example', subject: 'New laptop', body: 'I need a new laptop.' }));
    const ticket = await oneTicketOf('paul@client.example');
    const ours = await recordOutbound(m.desk, ticket.id, 'paul@client.example');
    const outboxBefore = await countRows(m.desk, 'outbox');
    const ticketsBefore = await countRows(m.desk, 'tickets');
    const swap = {
      'hd-1049.20260303T120000.a36b7d@helpdesk.acme.example': ours,
      'hd-1053.20260303T115840.7e9f0a@helpdesk.acme.example': ours,
      'hd-1050.20260303T130000.c58d9e@helpdesk.acme.example': ours,
    };
    await m.deliver(fixture('dsn-postfix-failed.eml', swap));
    await m.deliver(fixture('dsn-postfix-delayed.eml', swap));
    await m.deliver(fixture('mdn-read-receipt-fr.eml', swap));
    await m.caughtUp();

    const [sent] = await m.desk.sequelize.query<{ status: string; error: string }>(
      `SELECT status, error FROM messages WHERE external_id = :id`,
      { replacements: { id: `<${ours}>` }, type: QueryTypes.SELECT },
    );
    expect(sent?.status).toBe('failed');
    expect(sent?.error).toContain('5.1.1');
    const events = (await detail(ticket.number)).events.filter((e) => e.type === 'notification_bounced');
    expect(events).toHaveLength(1);
    expect(await countRows(m.desk, 'tickets')).toBe(ticketsBefore);
    expect(await countRows(m.desk, 'outbox')).toBe(outboxBefore);
  });
});

describe('the mailbox itself', () => {
  it('is left as it was: nothing read is flagged, moved or deleted', async () => {
    await m.caughtUp();
    const imap = inject('imap');
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: m.user, pass: IMAP_PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const box = await client.mailboxOpen('INBOX', { readOnly: true });
      const messages = await client.fetchAll('1:*', { uid: true, flags: true });
      expect(messages.length).toBeGreaterThan(10);
      expect(box.exists).toBe(messages.length);
      expect(messages.filter((msg) => msg.flags?.has('\\Seen') || msg.flags?.has('\\Deleted'))).toEqual([]);
    } finally {
      await client.logout();
    }
  });
});

describe('poison', () => {
  it('an unparsable email is quarantined and the next one is still processed', async () => {
    await m.deliver(Buffer.from('this is not an email at all\r\njust some bytes\r\n'));
    await m.deliver(mail({ from: 'after-poison@client.example', subject: 'Keyboard', body: 'My keyboard types twice.' }));
    await oneTicketOf('after-poison@client.example');
    await m.caughtUp();
    const res = await api().get('/api/quarantine').set(bearer(COORDINATOR_TOKEN));
    expect(res.status).toBe(200);
    const items = res.body.items as { mailbox: string; uid: number; reason: string }[];
    expect(items.some((i) => i.reason.startsWith('unparsable') && i.mailbox.includes(m.user))).toBe(true);
  });

  it('an email that cannot be stored is quarantined whole and the next one is still processed', async () => {
    await refuseTicketsWithSubject(m.desk, 'Poison pill');
    const poison = mail({ from: 'poison@client.example', subject: 'Poison pill', body: 'This one cannot be stored.' });
    await m.deliver(poison);
    await m.deliver(mail({ from: 'poison@client.example', subject: 'After the pill', body: 'This one can.' }));
    await oneTicketOf('poison@client.example');
    await m.caughtUp();
    const [row] = await m.desk.sequelize.query<{ reason: string; raw: Buffer }>(
      `SELECT reason, raw FROM quarantine WHERE reason LIKE 'could not be stored%'`,
      { type: QueryTypes.SELECT },
    );
    expect(row?.reason).toContain('refused by the test');
    expect(row?.raw.toString()).toBe(poison);
    expect(await ticketsFrom(m.desk, 'poison@client.example')).toHaveLength(1);
  });
});

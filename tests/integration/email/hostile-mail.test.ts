import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createMailDesk, mail, newMessageId, ticketsFrom, type MailDesk } from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue #11 item 13, with the very emails described, through the real IMAP intake (Dovecot): an email
 * whose body is one 1 MB line pinned the gateway at 100% CPU for minutes (the categorisation pattern
 * was quadratic), and came back after a restart; an email of 1,000 MIME parts and one of 10,000 nested
 * HTML elements were quarantined (mailparser's node limit, html-to-text's stack). Each must become a
 * ticket promptly while the desk keeps answering. Item 11's mail part: NUL and lone surrogates.
 */
let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk();
  await m.startReader();
});
afterAll(async () => {
  await m?.close();
});

/** Delivers one email and waits for its sender's ticket; says how long it took and how long the event loop stalled. */
async function ticketOf(raw: string, sender: string) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = Date.now();
  await m.deliver(raw);
  const ticket = await waitFor(`a ticket from ${sender}`, async () => (await ticketsFrom(m.desk, sender))[0], { timeoutMs: 30_000 });
  const ms = Date.now() - started;
  loop.disable();
  return { ticket, ms, stallMs: loop.max / 1e6 };
}

/** Every email delivered so far stored, none quarantined, and the desk ready. */
async function deskStaysReady(): Promise<void> {
  await m.caughtUp();
  expect(await countRows(m.desk, 'quarantine')).toBe(0);
  const ready = await request(m.desk.app).get('/ready');
  expect(ready.status).toBe(200);
}

const head = (from: string, subject: string) =>
  [
    `From: ${from}`,
    'To: Helpdesk <helpdesk@desk.example>',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${newMessageId()}>`,
    'MIME-Version: 1.0',
  ].join('\r\n');

describe('hostile mail through the IMAP intake', () => {
  it('a text/plain email whose body is one 1 MB line becomes a ticket within a second, the desk answering throughout', async ({
    annotate,
  }) => {
    const sender = 'oneline@client.example';
    const body = `Printer broken ${'x'.repeat(1024 * 1024)}`;
    const { ticket, ms, stallMs } = await ticketOf(mail({ from: sender, subject: 'One long line', body }), sender);
    await annotate(
      `1 MB line: ticket ${ms} ms after delivery (Dovecot tells an idling reader after 500 ms); longest event-loop stall ${stallMs.toFixed(0)} ms`,
    );
    expect(ticket.subject).toBe('One long line');
    expect(ticket.description).toHaveLength(body.length);
    expect(ticket.category).toBe('printing');
    // "Within a second" of work (the figure is annotated); the bound only tells seconds from the
    // minutes the quadratic pattern took, with room for IDLE's notice and the whole suite beside it.
    expect(ms).toBeLessThan(15_000);
    expect(stallMs).toBeLessThan(1_000);
    await deskStaysReady();
  });

  it('the same email waiting in the mailbox when the gateway (re)starts is read at once, as the backlog', async ({ annotate }) => {
    const restarted = await createMailDesk();
    try {
      const sender = 'waiting@client.example';
      await restarted.deliver(mail({ from: sender, subject: 'Waiting long line', body: 'z'.repeat(1024 * 1024) }));
      const started = Date.now();
      await restarted.startReader();
      const ticket = await waitFor('the waiting email as a ticket', async () => (await ticketsFrom(restarted.desk, sender))[0], {
        timeoutMs: 30_000,
      });
      const ms = Date.now() - started;
      await annotate(`1 MB line waiting at start: ticket ${ms} ms after the reader started`);
      expect(ticket.subject).toBe('Waiting long line');
      expect(ms).toBeLessThan(15_000);
      expect((await request(restarted.desk.app).get('/ready')).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('an email of 1,000 MIME parts becomes a ticket with its first parts read and the original kept', async ({ annotate }) => {
    const sender = 'parts@client.example';
    const parts = Array.from({ length: 1000 }, (_, i) =>
      i === 0
        ? '--p\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe VPN drops every ten minutes.\r\n'
        : `--p\r\nContent-Type: application/octet-stream; name="log${i}.txt"\r\nContent-Disposition: attachment; filename="log${i}.txt"\r\n\r\nline ${i}\r\n`,
    );
    const raw = `${head(sender, 'A thousand parts')}\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n${parts.join('')}--p--\r\n`;
    const { ticket, ms } = await ticketOf(raw, sender);
    await annotate(`1,000 parts: ticket ${ms} ms after delivery`);
    expect(ticket.description).toContain('The VPN drops every ten minutes.');
    const files = await m.desk.sequelize.query<{ filename: string }>('SELECT filename FROM attachments WHERE ticket_id = :id', {
      replacements: { id: ticket.id },
      type: QueryTypes.SELECT,
    });
    expect(files.map((f) => f.filename)).toContain('original-message.eml');
    expect(files.length).toBeGreaterThan(300);
    await deskStaysReady();
  });

  it('an HTML email of 10,000 nested elements becomes a ticket with its text', async ({ annotate }) => {
    const sender = 'nested@client.example';
    const html = `${'<div>'.repeat(10_000)}Mon &eacute;cran reste noir${'</div>'.repeat(10_000)}`;
    const raw = `${head(sender, 'Nested HTML')}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
    const { ticket, ms } = await ticketOf(raw, sender);
    await annotate(`10,000 nested elements: ticket ${ms} ms after delivery`);
    expect(ticket.description).toBe('Mon écran reste noir');
    await deskStaysReady();
  });

  it('a Message-ID and addresses longer than any index entry (Postgres btree: about 2.7 kB) still make a ticket', async () => {
    // Random, so that Postgres cannot compress them under its index entry limit.
    const long = (n: number) => randomBytes(n / 2).toString('hex');
    const raw = [
      `From: Long <${long(3_000)}@client.example>`,
      `Cc: ${long(3_000)}@client.example, watcher@client.example`,
      'To: Helpdesk <helpdesk@desk.example>',
      'Subject: Long ids',
      `Message-ID: ${long(5_000)}`,
      `In-Reply-To: ${long(5_000)}@client.example`,
      `References: <${long(990)}@client.example> ${long(5_000)}@client.example`,
      '',
      'The scanner jams.',
      '',
    ].join('\r\n');
    await m.deliver(raw);
    await m.caughtUp();
    expect(await countRows(m.desk, 'quarantine')).toBe(0);
    expect(await countRows(m.desk, "tickets WHERE subject = 'Long ids' AND description = 'The scanner jams.'")).toBe(1);
    await deskStaysReady();
  });

  it('NUL characters and lone surrogates in the subject, body and names are handled at the edge', async () => {
    // Dovecot turns a raw NUL byte into 0x80 (IMAP has no room for NUL), so they come encoded: RFC 2047
    // words, quoted-printable. A lone surrogate comes in a UTF-16 encoded word.
    const sender = 'nul@client.example';
    const word = (charset: string, bytes: Buffer) => `=?${charset}?B?${bytes.toString('base64')}?=`;
    const nul = (text: string) => word('UTF-8', Buffer.from(text));
    const lone = word('UTF-16BE', Buffer.from([0xd8, 0x3d, 0x00, 0x41]));
    const raw = [
      `From: ${nul('Ann\u0000Lee')} <${sender}>`,
      // Reply-To names the requester: its name was not cleaned before (22P05, then quarantined).
      `Reply-To: ${nul('Ann\u0000 Lee')} ${lone} <${sender}>`,
      'To: Helpdesk <helpdesk@desk.example>',
      `Subject: ${nul('Printer\u0000 jam')} and ${lone}`,
      `Message-ID: <${newMessageId()}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'The printer=00 jams.',
      '',
    ].join('\r\n');
    await m.deliver(raw);
    await m.caughtUp();
    expect(await countRows(m.desk, 'quarantine')).toBe(0);
    const [ticket] = await ticketsFrom(m.desk, sender);
    expect(ticket?.subject).toMatch(/^Printer jam and \S*A$/);
    expect(ticket?.description).toBe('The printer jams.');
    const [requester] = await m.desk.sequelize.query<{ name: string }>(
      'SELECT name FROM requesters WHERE emails @> ARRAY[:sender]::text[]',
      { replacements: { sender }, type: QueryTypes.SELECT },
    );
    expect(requester?.name).toMatch(/^Ann Lee ?\S*A$/);
    for (const text of [ticket?.subject ?? '', requester?.name ?? '']) expect(text.isWellFormed() && !text.includes('\u0000')).toBe(true);
    await deskStaysReady();
  });
});

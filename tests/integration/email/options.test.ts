import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { countRows, createMailDesk, mail, ticketsFrom, type MailDesk } from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * A mailbox with defaults of its own (an urgent@ network address), small attachment limits and a
 * tight storm cap, so that each of those rules shows.
 */
let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk({ query: '?category=network&urgency=high&address=urgent@desk.example' });
  await m.startReader({
    limits: { maxAttachmentBytes: 2_000, maxMessageBytes: 3_000 },
    maxRawBytes: 40_000,
    caps: { senderMessages: 3, senderWindowMinutes: 10, ticketMessages: 100, ticketWindowMinutes: 60 },
  });
});
afterAll(async () => {
  await m?.close();
});

async function firstTicketOf(address: string) {
  const rows = await waitFor(`a ticket from ${address}`, async () => {
    const found = await ticketsFrom(m.desk, address);
    return found.length > 0 && found;
  });
  return rows[0]!;
}

function withAttachments(from: string, files: { name: string; bytes: number }[]): string {
  return mail({
    from,
    to: 'urgent@desk.example',
    subject: 'Screenshots of the error',
    body: 'The router shows an error, screenshots attached.',
    attachments: files.map((f) => ({ name: f.name, content: Buffer.alloc(f.bytes, 7) })),
  });
}

describe('a mailbox with defaults', () => {
  it('gives its tickets its category and urgency', async () => {
    await m.deliver(
      mail({ from: 'net@client.example', to: 'urgent@desk.example', subject: 'Switch down', body: 'Nothing works on floor 3.' }),
    );
    const ticket = await firstTicketOf('net@client.example');
    expect(ticket).toMatchObject({ category: 'network', urgency: 'high' });
  });

  it('takes a form’s Reply-To as the requester and keeps the writer as a watcher; never its own address', async () => {
    await m.deliver(
      mail({
        from: 'Intranet form <forms@intranet.example>',
        subject: 'Access request',
        body: 'Luc needs access to the finance share.',
        cc: 'urgent@desk.example, Boss <boss@client.example>',
        headers: { 'Reply-To': 'Luc Moreau <luc@client.example>' },
      }),
    );
    const ticket = await firstTicketOf('luc@client.example');
    const res = await request(m.desk.app).get(`/api/tickets/${ticket.number}`).set(bearer(COORDINATOR_TOKEN));
    expect(res.body.requester).toMatchObject({ name: 'Luc Moreau', email: 'luc@client.example' });
    expect((res.body.watchers as { email: string }[]).map((w) => w.email).sort()).toEqual([
      'boss@client.example',
      'forms@intranet.example',
    ]);
  });
});

describe('attachments over the limits', () => {
  it('are left out, the ticket still opens, and the requester is told which', async () => {
    await m.deliver(
      withAttachments('shots@client.example', [
        { name: 'small.png', bytes: 500 },
        { name: 'huge.png', bytes: 5_000 },
        { name: 'second.png', bytes: 1_500 },
        { name: 'third.png', bytes: 1_500 },
      ]),
    );
    const ticket = await firstTicketOf('shots@client.example');
    const kept = await m.desk.sequelize.query<{ filename: string }>(
      'SELECT filename FROM attachments WHERE ticket_id = :id ORDER BY filename',
      { replacements: { id: ticket.id }, type: QueryTypes.SELECT },
    );
    expect(kept.map((a) => a.filename)).toEqual(['second.png', 'small.png']);
    const outbox = await m.desk.services.store.outbox.forTicket(ticket.id);
    const notice = outbox.find((row) => row.kind === 'requester.omitted-attachments');
    expect(notice?.recipient).toBe('shots@client.example');
    expect(notice?.payload).toMatchObject({
      omitted: [
        { filename: 'huge.png', reason: 'too_large', sizeBytes: 5_000 },
        { filename: 'third.png', reason: 'total_too_large', sizeBytes: 1_500 },
      ],
    });
  });
});

describe('an email too large to download', () => {
  it('still opens its ticket from its headers, and its sender is told', async () => {
    await m.deliver(withAttachments('giant@client.example', [{ name: 'video.mp4', bytes: 60_000 }]));
    const ticket = await firstTicketOf('giant@client.example');
    expect(ticket.subject).toBe('Screenshots of the error');
    expect(ticket.description).toMatch(/too large to be read/);
    expect(await countRows(m.desk, 'attachments WHERE ticket_id = :id', { id: ticket.id })).toBe(0);
    const outbox = await m.desk.services.store.outbox.forTicket(ticket.id);
    expect(outbox.find((row) => row.kind === 'requester.omitted-attachments')?.payload).toMatchObject({
      omitted: [{ filename: 'message.eml', reason: 'total_too_large' }],
    });
  });
});

describe('a storm from one sender', () => {
  it('opens tickets up to the cap; past it, mail is kept on the latest ticket and nobody is told', async () => {
    for (let i = 0; i < 6; i++) {
      await m.deliver(mail({ from: 'storm@client.example', subject: `Alert ${i}`, body: `Alert number ${i}.` }));
    }
    await m.caughtUp();
    const tickets = await ticketsFrom(m.desk, 'storm@client.example');
    expect(tickets).toHaveLength(3);
    const ids = tickets.map((t) => t.id);
    expect(await countRows(m.desk, `messages WHERE direction = 'in' AND ticket_id IN (:ids)`, { ids })).toBe(6);
    expect(await countRows(m.desk, `outbox WHERE ticket_id IN (:ids)`, { ids })).toBe(3);
  });
});

describe('the satisfaction survey', () => {
  it('a bare digit after closing rates the ticket, without reopening it or opening another', async () => {
    await m.deliver(mail({ from: 'happy@client.example', subject: 'Mouse broken', body: 'My mouse does not click.' }));
    const ticket = await firstTicketOf('happy@client.example');
    const api = () => request(m.desk.app);
    expect(
      (await api().post(`/api/tickets/${ticket.number}/resolve`).set(bearer(COORDINATOR_TOKEN)).send({ resolution: 'New mouse.' })).status,
    ).toBe(200);
    expect((await api().post(`/api/tickets/${ticket.number}/close`).set(bearer(COORDINATOR_TOKEN))).status).toBe(200);

    await m.deliver(
      mail({
        from: 'happy@client.example',
        subject: `Re: [HD-${ticket.number}] Mouse broken`,
        body: '5\r\n\r\nOn Monday, Helpdesk wrote:\r\n> How did we do? Reply 1 to 5.',
      }),
    );
    await m.caughtUp();
    const [row] = await m.desk.sequelize.query<{ status: string; satisfaction: number }>(
      'SELECT status, satisfaction FROM tickets WHERE id = :id',
      { replacements: { id: ticket.id }, type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ status: 'closed', satisfaction: 5 });
    expect(await ticketsFrom(m.desk, 'happy@client.example')).toHaveLength(1);
  });
});

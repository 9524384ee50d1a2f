import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket, TicketDetail } from '../../../src/domain/ticket.js';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { DESK_DOMAIN, createMailDesk, mail, type MailDesk } from '../email/mail-desk.js';

/**
 * Service requests by email (#17): a new email sent to HELPDESK_REQUEST_ADDRESS opens a request of
 * the catalog item it asks for (rules/catalog-match.ts), awaiting its approvers, who are asked; a
 * reply lands on it as on any ticket; mail to the desk's own address still opens incidents.
 */

const REQUESTS = `requests@${DESK_DOMAIN}`;
const COORDINATOR = 'coordinator@desk.example';
const ALICE = 'alice.martin@client.example';
const auth = bearer(COORDINATOR_TOKEN);

let md: MailDesk;

beforeAll(async () => {
  md = await createMailDesk({ env: { HELPDESK_REQUEST_ADDRESS: REQUESTS, HELPDESK_COORDINATOR_EMAIL: COORDINATOR } });
  // A file over 2,000 bytes is left out (and its sender told), as a desk's limits would leave out a large one.
  await md.startReader({ limits: { maxAttachmentBytes: 2_000 } });
});
afterAll(async () => {
  await md?.close();
});

const api = () => request(md.desk.app);

async function listed(type: 'incident' | 'request'): Promise<Ticket[]> {
  const res = await api().get(`/api/tickets?type=${type}`).set(auth);
  expect(res.status).toBe(200);
  return res.body.items as Ticket[];
}

async function detail(number: number): Promise<TicketDetail> {
  const res = await api().get(`/api/tickets/${number}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

describe('a request by email', () => {
  it('opens a request of the item it asks for, awaiting its approver, who is asked; a reply threads onto it', async () => {
    const messageId = `sap-access-${Date.now()}@client.example`;
    await md.deliver(
      mail({
        from: `Alice Martin <${ALICE}>`,
        to: `IT requests <${REQUESTS}>`,
        subject: 'Access to an application',
        body: 'Hello,\nApplication: SAP\nAccess level: write\nI close the books at month end and need to post entries.',
        messageId,
      }),
    );
    await md.caughtUp();
    const [opened, ...more] = await listed('request');
    expect(more).toEqual([]);
    expect(await listed('incident')).toEqual([]);
    const ticket = await detail(opened!.number);
    expect(ticket).toMatchObject({ type: 'request', status: 'awaiting_approval', channel: 'email', assignee: null });
    expect(ticket.requester.email).toBe(ALICE);
    expect(ticket.request?.item.id).toBe('app-access');
    expect(ticket.request?.fields).toMatchObject({ application: 'SAP', accessLevel: 'write' });
    expect(String(ticket.request?.fields.reason)).toContain('close the books');
    // The item asks for the requester's manager; nobody knows Alice's, so the coordinator is asked instead.
    expect(ticket.request?.approvals).toEqual([
      expect.objectContaining({ approver: expect.objectContaining({ email: COORDINATOR }), decision: null }),
    ]);
    const owed = await md.desk.services.store.outbox.forTicket(ticket.id);
    expect(owed.filter((row) => row.kind === 'approver.request').map((row) => row.recipient)).toEqual([COORDINATOR]);
    expect(owed.some((row) => row.kind === 'requester.created' && row.recipient === ALICE)).toBe(true);

    // Alice adds a word by answering her own email: it joins the request, which stays as it was.
    await md.deliver(
      mail({
        from: `Alice Martin <${ALICE}>`,
        to: `IT requests <${REQUESTS}>`,
        subject: 'Re: Access to an application',
        body: 'Read access to the reports would help too.',
        inReplyTo: messageId,
        references: [messageId],
      }),
    );
    await md.caughtUp();
    const after = await detail(ticket.number);
    expect(after.messages.filter((m) => m.direction === 'in').map((m) => m.body)).toEqual([
      expect.stringContaining('Application: SAP'),
      'Read access to the reports would help too.',
    ]);
    expect(after.status).toBe('awaiting_approval');
    expect(await listed('request')).toHaveLength(1);
    expect(await listed('incident')).toEqual([]);
  });

  it('takes a request that names no item clearly as "other", for the desk to qualify; the address in Cc is enough, and a colleague in Cc follows it', async () => {
    const body = 'Could somebody set up the projector in room 4 for Thursday?';
    await md.deliver(
      mail({
        from: `Bob Lee <bob.lee@client.example>`,
        to: `Helpdesk <helpdesk@${DESK_DOMAIN}>`,
        subject: 'Room 4',
        body,
        cc: `IT requests <${REQUESTS}>, Carol Diaz <carol.diaz@client.example>`,
      }),
    );
    await md.caughtUp();
    const other = (await listed('request')).find((t) => t.subject === 'Room 4');
    expect(other).toBeDefined();
    const ticket = await detail(other!.number);
    expect(ticket.request?.item.id).toBe('other');
    expect(ticket.request?.fields).toEqual({ description: body });
    // "other" needs nobody's approval: it waits for a technician like any new ticket.
    expect(ticket.request?.approvals).toEqual([]);
    expect(ticket.status).not.toBe('awaiting_approval');
    // The colleague copied follows it; the request address is the desk's, no watcher.
    expect(ticket.watchers).toEqual([{ email: 'carol.diaz@client.example' }]);
  });

  it('keeps the files of a request, and tells its requester of those the size limits left out', async () => {
    await md.deliver(
      mail({
        from: `Dora <dora@client.example>`,
        to: REQUESTS,
        subject: 'A second screen',
        body: 'What hardware: a 27-inch screen\nMy laptop screen is too small for the plans; a photo of my desk is attached.',
        attachments: [
          { name: 'desk.txt', content: Buffer.from('a small note'), type: 'text/plain' },
          { name: 'desk.png', content: Buffer.alloc(5_000, 1), type: 'image/png' },
        ],
      }),
    );
    await md.caughtUp();
    const listedRequest = (await listed('request')).find((t) => t.subject === 'A second screen');
    const ticket = await detail(listedRequest!.number);
    expect(ticket.request?.item.id).toBe('new-hardware');
    const kept = await md.desk.sequelize.query<{ filename: string }>('SELECT filename FROM attachments WHERE ticket_id = :id', {
      replacements: { id: ticket.id },
      type: QueryTypes.SELECT,
    });
    expect(kept.map((a) => a.filename)).toEqual(['desk.txt']);
    const notice = (await md.desk.services.store.outbox.forTicket(ticket.id)).find((row) => row.kind === 'requester.omitted-attachments');
    expect(notice?.recipient).toBe('dora@client.example');
    expect(notice?.payload).toMatchObject({ omitted: [{ filename: 'desk.png', reason: 'too_large' }] });
  });

  it('opens a request from mail the request address got in Bcc, which only its Delivered-To names', async () => {
    await md.deliver(
      mail({
        from: `Eve <eve@client.example>`,
        to: `Helpdesk <helpdesk@${DESK_DOMAIN}>`,
        subject: 'CRM access',
        body: 'Application: CRM\nAccess level: read\nI join the sales team on Monday.',
        headers: { 'Delivered-To': REQUESTS },
      }),
    );
    await md.caughtUp();
    const bcc = (await listed('request')).find((t) => t.subject === 'CRM access');
    expect(bcc).toBeDefined();
    expect((await detail(bcc!.number)).request?.item.id).toBe('app-access');
  });

  it('still opens an incident from mail to the desk’s own address', async () => {
    await md.deliver(mail({ from: `Carla <carla@client.example>`, subject: 'Printer jammed', body: 'The printer on floor 2 is jammed.' }));
    await md.caughtUp();
    expect((await listed('incident')).map((t) => t.subject)).toEqual(['Printer jammed']);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { bearer } from '../../support/desk.js';
import { auth, createNotifyDesk, createTechnician, outboxRows, ticketDetail, type NotifyDesk, type OutboxView } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/** Transient failures retry with backoff; permanent ones stop at once and land in the dead letters. */

let nd: NotifyDesk;

beforeAll(async () => {
  nd = await createNotifyDesk();
  await nd.start();
});
afterAll(async () => {
  await nd?.close();
});

const postsTo = (phone: string) => nd.standIn.requests.filter((r) => r.method === 'POST' && r.form.To === phone);

async function webTicket(email: string, subject = 'Cannot print') {
  const opened = await openTicket(nd.desk.services.tickets, {
    channel: 'web',
    subject,
    description: 'The printer on floor 2 jams',
    requester: { email, language: 'en' },
  });
  if (!opened.created) throw new Error('not created');
  return opened.ticket;
}

async function offerTo(phone: string) {
  const tech = await createTechnician(nd.desk, { name: `Tech ${phone}`, phone, language: 'en' });
  const ticket = await webTicket(`requester-${phone.slice(-4)}@example.com`);
  await request(nd.desk.app).patch(`/api/tickets/${ticket.number}`).set(auth).send({ assigneeId: tech.id }).expect(200);
  return { tech, ticket };
}

async function settledRow(ticketId: string, kind: string): Promise<OutboxView> {
  return waitFor(`${kind} settled`, async () =>
    (await outboxRows(nd.desk, ticketId)).find((r) => r.kind === kind && (r.status === 'sent' || r.status === 'failed')),
  );
}

/** A later SMS to someone else has gone out: any retry of an earlier row would have had its chance. */
async function drain() {
  await nd.notifier?.dispatcher.scan();
  const { ticket } = await offerTo(`+3369${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`);
  await settledRow(ticket.id, 'technician.offer');
}

describe('Twilio failures', () => {
  it('stops at once on 21211: failed, on the ticket, in the dead-letter view; a coordinator retry sends it', async () => {
    const phone = '+15005550001';
    nd.standIn.failNext(1, { status: 400, code: 21211, message: `The 'To' number ${phone} is not a valid phone number.` });
    const { ticket } = await offerTo(phone);
    const row = await settledRow(ticket.id, 'technician.offer');
    expect(row).toMatchObject({ status: 'failed', errorCode: 'INVALID_NUMBER', attempts: 1 });
    await drain();
    expect(postsTo(phone)).toHaveLength(1);

    const detail = await ticketDetail(nd.desk, ticket.number);
    const failed = detail.events.find((e) => e.type === 'notification_failed');
    expect(failed).toMatchObject({
      actor: 'system:notify',
      data: { kind: 'technician.offer', channel: 'sms', code: 'INVALID_NUMBER', vendorCode: 21211, outboxId: row.id },
    });
    expect(JSON.stringify(detail.events)).not.toContain(phone);

    const list = await request(nd.desk.app).get('/api/notifications/failed').set(auth).expect(200);
    const item = (list.body.items as Record<string, unknown>[]).find((i) => i.id === row.id);
    expect(item).toMatchObject({
      ticketNumber: ticket.number,
      kind: 'technician.offer',
      channel: 'sms',
      recipient: phone,
      errorCode: 'INVALID_NUMBER',
      attempts: 1,
    });
    expect(item?.lastError).toContain('not a valid phone number');
    expect(list.body.total).toBeGreaterThanOrEqual(1);

    // A technician may not see or retry dead letters.
    const tech = await createTechnician(nd.desk, { name: 'Nosy', phone: '+33644444444' });
    await request(nd.desk.app).get('/api/notifications/failed').set(bearer(tech.token)).expect(403);

    // The coordinator fixed the cause and retries: it goes out, once.
    const retried = await request(nd.desk.app).post(`/api/notifications/${row.id}/retry`).set(auth).expect(202);
    expect(retried.body).toEqual({ id: row.id, status: 'pending' });
    const sent = await settledRow(ticket.id, 'technician.offer');
    expect(sent.status).toBe('sent');
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(1);
    const after = await ticketDetail(nd.desk, ticket.number);
    expect(after.events.find((e) => e.type === 'notification_retried')).toMatchObject({ actor: 'coordinator' });
    expect(after.events.filter((e) => e.type === 'notified')).toHaveLength(2); // the requester's ack and the offer

    await request(nd.desk.app).post(`/api/notifications/${row.id}/retry`).set(auth).expect(409);
    const missing = await request(nd.desk.app).post('/api/notifications/999999999/retry').set(auth).expect(404);
    expect(missing.body.error.code).toBe('NOTIFICATION_NOT_FOUND');
  });

  it('retries a 503 and a 429 with backoff, then sends once', async () => {
    const phone = '+33655555555';
    nd.standIn.failNext(1, { status: 503, code: 20503, message: 'Service unavailable' });
    nd.standIn.failNext(1, { status: 429, code: 20429, message: 'Too many requests' });
    const { ticket } = await offerTo(phone);
    const row = await settledRow(ticket.id, 'technician.offer');
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(postsTo(phone)).toHaveLength(3);
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(1);
    expect(row.externalId).toBe(nd.standIn.messages.find((m) => m.to === phone)?.sid);
    const detail = await ticketDetail(nd.desk, ticket.number);
    expect(detail.events.filter((e) => e.type === 'notification_failed')).toHaveLength(0);
    expect(detail.events.filter((e) => e.type === 'notified' && e.data.kind === 'technician.offer')).toHaveLength(1);
  });

  it('after a dropped connection, asks Twilio whether the text arrived before sending it again', async () => {
    const phone = '+33666666666';
    nd.standIn.failNext(1, { disconnect: true });
    const { ticket } = await offerTo(phone);
    const row = await settledRow(ticket.id, 'technician.offer');
    expect(row.status).toBe('sent');
    const lookups = nd.standIn.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(1);
  });
});

describe('SMTP failures', () => {
  it('stops at once on a 550 and never writes to that address again', async () => {
    const ghost = 'ghost@example.com';
    nd.receiver.rejectNext({ stage: 'rcpt', code: 550, message: '5.1.1 No such user', recipient: ghost });
    const ticket = await webTicket(ghost);
    const ack = await settledRow(ticket.id, 'requester.created');
    expect(ack).toMatchObject({ status: 'failed', errorCode: 'REJECTED', attempts: 1 });

    await request(nd.desk.app).patch(`/api/tickets/${ticket.number}`).set(auth).send({ status: 'pending' }).expect(200);
    const pending = await settledRow(ticket.id, 'requester.pending');
    expect(pending).toMatchObject({ status: 'failed', errorCode: 'SUPPRESSED' });
    expect(nd.receiver.messages.filter((m) => m.envelope.to.includes(ghost))).toHaveLength(0);
    const detail = await ticketDetail(nd.desk, ticket.number);
    expect(detail.events.filter((e) => e.type === 'notification_failed').map((e) => e.data.code)).toEqual(['REJECTED', 'SUPPRESSED']);
  });

  it('retries a 451 with the Message-ID it recorded before the first try', async () => {
    const dana = 'dana@example.com';
    nd.receiver.rejectNext({ stage: 'data', code: 451, message: '4.3.0 Try again later' });
    const ticket = await webTicket(dana);
    const row = await settledRow(ticket.id, 'requester.created');
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const mails = nd.receiver.messages.filter((m) => m.envelope.to.includes(dana));
    expect(mails).toHaveLength(1);
    // Stored without the angle brackets, as every Message-ID in the store is.
    expect(mails[0]?.parsed.messageId).toBe(`<${row.externalId}>`);
  });

  it('does not write to an address whose earlier mail bounced', async () => {
    const carol = 'carol@example.com';
    const ticket = await webTicket(carol);
    const ack = await settledRow(ticket.id, 'requester.created');
    expect(ack.status).toBe('sent');
    // What the mail intake does with a delivery status notification for our acknowledgement.
    await nd.desk.services.store.messages.setStatus('email', ack.externalId!, 'failed', 'bounced: 5.1.1 user unknown');

    await request(nd.desk.app).patch(`/api/tickets/${ticket.number}`).set(auth).send({ status: 'pending' }).expect(200);
    const pending = await settledRow(ticket.id, 'requester.pending');
    expect(pending).toMatchObject({ status: 'failed', errorCode: 'SUPPRESSED' });
    expect(nd.receiver.messages.filter((m) => m.envelope.to.includes(carol))).toHaveLength(1);
  });
});

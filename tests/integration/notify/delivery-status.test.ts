import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSmsStatus } from '../../../src/notify/delivery-status.js';
import { escalateTicket } from '../../../src/tickets/actions.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { auth, createNotifyDesk, HOTLINE, outboxRows, ticketDetail, type NotifyDesk } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/** What happens after the send: Twilio's delivery statuses, and who hears of escalations. */

let nd: NotifyDesk;
const COORDINATOR_EMAIL = 'coordination@desk.example.org';
const COORDINATOR_PHONE = '+33699999999';

beforeAll(async () => {
  nd = await createNotifyDesk({ env: { HELPDESK_COORDINATOR_EMAIL: COORDINATOR_EMAIL, HELPDESK_COORDINATOR_PHONE: COORDINATOR_PHONE } });
  await nd.start();
});
afterAll(async () => {
  await nd?.close();
});

async function callerAck(phone: string) {
  const opened = await openTicket(nd.desk.services.tickets, {
    channel: 'sms',
    subject: 'Wifi',
    description: 'Le wifi coupe.',
    requester: { phone },
    message: { externalId: `SM${phone.replace(/\D/g, '')}`, sender: phone, recipient: HOTLINE, body: 'Le wifi coupe.' },
  });
  if (!opened.created) throw new Error('not created');
  const row = await waitFor('the acknowledgement sent', async () =>
    (await outboxRows(nd.desk, opened.ticket.id)).find((r) => r.status === 'sent'),
  );
  return { ticket: opened.ticket, sid: row.externalId! };
}

const messageStatus = async (number: number, sid: string) =>
  (await ticketDetail(nd.desk, number)).messages.find((m) => m.externalId === sid)?.status;

describe('SMS delivery statuses', () => {
  it('records them on the message, never moving back', async () => {
    const { ticket, sid } = await callerAck('+33610101010');
    expect(await recordSmsStatus(nd.desk.services.store, { messageSid: sid, status: 'sent' })).toEqual({
      found: true,
      status: 'sent',
      changed: true,
    });
    expect(await recordSmsStatus(nd.desk.services.store, { messageSid: sid, status: 'delivered' })).toMatchObject({ changed: true });
    // Twilio's callbacks may arrive out of order: a late "sent" does not undo "delivered".
    expect(await recordSmsStatus(nd.desk.services.store, { messageSid: sid, status: 'sent' })).toMatchObject({ changed: false });
    expect(await messageStatus(ticket.number, sid)).toBe('delivered');
    expect(await recordSmsStatus(nd.desk.services.store, { messageSid: 'SMnotours', status: 'delivered' })).toEqual({ found: false });
  });

  it('puts an undelivered SMS on the ticket and in the dead letters, from where it can be sent again', async () => {
    const phone = '+33620202020';
    const { ticket, sid } = await callerAck(phone);
    await recordSmsStatus(nd.desk.services.store, { messageSid: sid, status: 'undelivered', errorCode: '30003' });
    // A repeated callback adds nothing.
    await recordSmsStatus(nd.desk.services.store, { messageSid: sid, status: 'undelivered', errorCode: 30003 });
    expect(await messageStatus(ticket.number, sid)).toBe('undelivered');
    const detail = await ticketDetail(nd.desk, ticket.number);
    expect(detail.events.filter((e) => e.type === 'notification_failed')).toEqual([
      expect.objectContaining({
        data: { channel: 'sms', status: 'undelivered', kind: 'requester.created', outboxId: expect.any(Number), vendorCode: '30003' },
      }),
    ]);
    const [row] = await outboxRows(nd.desk, ticket.id);
    expect(row).toMatchObject({ status: 'failed', errorCode: 'UNDELIVERED' });
    const failed = await request(nd.desk.app).get('/api/notifications/failed').set(auth).expect(200);
    expect(failed.body.items.map((i: { id: number }) => i.id)).toContain(row?.id);

    await request(nd.desk.app).post(`/api/notifications/${row?.id}/retry`).set(auth).expect(202);
    const resent = await waitFor('the retry sent', async () => (await outboxRows(nd.desk, ticket.id)).find((r) => r.status === 'sent'));
    expect(resent.externalId).not.toBe(sid);
    expect(nd.standIn.messages.filter((m) => m.to === phone).map((m) => m.sid)).toEqual([sid, resent.externalId]);
  });
});

describe('coordinator', () => {
  it('hears of an escalation by email, and by SMS too when it makes the ticket P1', async () => {
    const p2 = await openTicket(nd.desk.services.tickets, {
      channel: 'web',
      subject: 'Serveur de fichiers lent',
      description: '',
      requester: { email: 'frank@example.com' },
      impact: 'high',
      urgency: 'medium',
    });
    if (!p2.created) throw new Error('not created');
    expect(p2.ticket.priority).toBe('P2');
    await escalateTicket(nd.desk.services.tickets, String(p2.ticket.number), 'Besoin de l’équipe réseau', { kind: 'coordinator' });

    const mail = (await nd.receiver.waitFor(3)).find((m) => m.envelope.to.includes(COORDINATOR_EMAIL));
    expect(mail?.parsed.subject).toBe(`[HD-${p2.ticket.number}] Escalade P1 au niveau 2 : Serveur de fichiers lent`);
    expect(mail?.parsed.text).toContain('passe du niveau 1 au niveau 2');
    expect(mail?.parsed.text).toContain('> Besoin de l’équipe réseau');
    const sms = await waitFor('the coordinator SMS', () => nd.standIn.messages.find((m) => m.to === COORDINATOR_PHONE));
    expect(sms.body).toBe(`Escalade HD-${p2.ticket.number} P1 niveau 2 : Besoin de l'équipe réseau`);
    // The requester hears that specialists have it.
    const requester = nd.receiver.messages.filter((m) => m.envelope.to.includes('frank@example.com')).map((m) => m.parsed.subject);
    expect(requester).toContain(`[HD-${p2.ticket.number}] Votre demande est confiée à une équipe spécialisée`);

    const p4 = await openTicket(nd.desk.services.tickets, {
      channel: 'web',
      subject: 'Souris',
      description: '',
      requester: { email: 'frank@example.com' },
      impact: 'low',
      urgency: 'low',
    });
    if (!p4.created) throw new Error('not created');
    await escalateTicket(nd.desk.services.tickets, String(p4.ticket.number), 'Pas de stock', { kind: 'coordinator' });
    await waitFor('the P4 escalation settled', async () =>
      (await outboxRows(nd.desk, p4.ticket.id)).filter((r) => r.kind === 'coordinator.escalation').every((r) => r.status === 'sent'),
    );
    expect((await outboxRows(nd.desk, p4.ticket.id)).filter((r) => r.kind === 'coordinator.escalation').map((r) => r.channel)).toEqual([
      'email',
    ]);
  });
});

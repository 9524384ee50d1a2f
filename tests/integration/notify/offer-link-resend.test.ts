import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError, type SmsSender } from '../../../src/notify/channels/types.js';
import { deliver, type DeliveryDeps } from '../../../src/notify/deliver.js';
import { auth, createNotifyDesk, createTechnician, HOTLINE, outboxRows, PUBLIC_URL, ticketDetail, type NotifyDesk } from './notify-desk.js';

/**
 * An offer's text carries its link's code only on its way to Twilio (notify/offer-link.ts). After
 * a send whose outcome was lost, the worker asks Twilio's list for that same text: with the code,
 * as sent, not the masked copy it stored, or it would not find it and text the technician twice.
 */

let nd: NotifyDesk;
const PHONE = '+33633330001';
const LINK = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/o/([A-Za-z0-9_-]{28})$`);

beforeAll(async () => {
  nd = await createNotifyDesk({ smtp: false });
});
afterAll(async () => {
  await nd?.close();
});

function depsWith(sender: SmsSender): DeliveryDeps {
  return {
    store: nd.desk.services.store,
    log: nd.desk.log,
    channels: { sms: { sender, from: HOTLINE, links: { publicUrl: PUBLIC_URL, secret: nd.standIn.authToken } } },
    timeZone: nd.desk.config.timezone,
    leaseMs: 3_000,
    backoff: { baseMs: 1, maxMs: 1 },
  };
}

describe('an offer text whose send outcome was lost', () => {
  it('is looked up in Twilio by the text sent, link and code included, and not sent again', async () => {
    const tech = await createTechnician(nd.desk, { name: 'Dee', phone: PHONE });
    const made = await request(nd.desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'Imprimante', description: 'Bourrage.', requester: { email: 'kim@example.com' } });
    expect(made.status).toBe(201);
    await request(nd.desk.app).patch(`/api/tickets/${made.body.number}`).set(auth).send({ assigneeId: tech.id }).expect(200);
    const row = (await outboxRows(nd.desk, made.body.id)).find((r) => r.kind === 'technician.offer');
    if (!row) throw new Error('no offer row');

    const sent: string[] = [];
    const lost: SmsSender = {
      async send(msg) {
        sent.push(msg.body);
        throw new SendError('transient', 'TIMEOUT', 'no answer from Twilio');
      },
    };
    expect(await deliver(depsWith(lost), { outboxId: row.id, attempt: row.attempts })).toMatchObject({ outcome: 'retry' });
    expect(sent).toHaveLength(1);
    const code = LINK.exec(sent[0] ?? '')?.[1];
    expect(code).toBeDefined();
    expect(code).not.toBe('*'.repeat(28));

    const asked: string[] = [];
    const again: string[] = [];
    const found: SmsSender = {
      async send(msg) {
        again.push(msg.body);
        return { externalId: 'SM00000000000000000000000000000001', status: 'sent' };
      },
      async findSent(query) {
        asked.push(query.body);
        return { externalId: 'SM00000000000000000000000000000001', status: 'sent' };
      },
    };
    expect(await deliver(depsWith(found), { outboxId: row.id, attempt: row.attempts + 1 })).toMatchObject({ outcome: 'reconciled' });
    expect(asked).toEqual(sent);
    expect(again).toEqual([]);
    // What the desk recorded keeps the link masked.
    const message = (await ticketDetail(nd.desk, made.body.number)).messages.find((m) => m.to === PHONE);
    expect(message?.body).toBe(sent[0]?.replace(code ?? '', '*'.repeat(28)));
  });
});

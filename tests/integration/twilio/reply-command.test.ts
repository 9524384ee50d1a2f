import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/intake/twilio/signature.js';
import { helpText, TECHNICIAN_REPLIES } from '../../../src/intake/twilio/technician-replies.js';
import { find, parseTwiml } from '../../unit/twilio/twiml.js';
import { waitFor } from '../../support/wait.js';
import { auth, createNotifyDesk, createTechnician, HOTLINE, PUBLIC_URL, ticketDetail, type NotifyDesk } from '../notify/notify-desk.js';

/**
 * Issue 13: `REPLY <n> <text>` from a technician's phone answers the requester of their own ticket
 * by the channel the requester used, and the requester's text back brings a pending ticket back to
 * work. Through the signed webhooks, the notifier and the Twilio stand-in.
 */

const EN = TECHNICIAN_REPLIES.en;
const TECH = '+33711200001';
const OTHER = '+33711200002';
const REQUESTER = '+33622200001';

let nd: NotifyDesk;
let sid = 0;

beforeAll(async () => {
  nd = await createNotifyDesk({ env: { HELPDESK_LANGUAGE: 'en' } });
  await nd.start();
});
afterAll(async () => {
  await nd?.close();
});

/** A text to the hotline, signed as Twilio signs it; the TwiML answer's text (null: none). */
async function text(from: string, body: string): Promise<string | null> {
  sid += 1;
  const params = {
    MessageSid: `SM${String(sid).padStart(32, '7')}`,
    AccountSid: nd.standIn.accountSid,
    From: from,
    To: HOTLINE,
    Body: body,
    NumMedia: '0',
  };
  const res = await request(nd.desk.app)
    .post('/twilio/sms')
    .type('form')
    .set('X-Twilio-Signature', signRequest(nd.standIn.authToken, `${PUBLIC_URL}/twilio/sms`, params))
    .send(params);
  expect(res.status, res.text).toBe(200);
  return find(parseTwiml(res.text), 'Message')?.text ?? null;
}

/** Twilio's delivery report for a message we sent, signed, to the status callback route. */
async function statusCallback(messageSid: string, to: string, status: string): Promise<void> {
  const params = { AccountSid: nd.standIn.accountSid, MessageSid: messageSid, MessageStatus: status, From: HOTLINE, To: to };
  const signature = signRequest(nd.standIn.authToken, `${PUBLIC_URL}/twilio/sms/status`, params);
  const res = await request(nd.desk.app).post('/twilio/sms/status').type('form').set('X-Twilio-Signature', signature).send(params);
  expect(res.status).toBeLessThan(300);
}

const textsTo = (phone: string, words: string) => nd.standIn.messages.filter((m) => m.to === phone && m.body.includes(words));

describe('REPLY from a technician’s phone', () => {
  it('reaches the requester of their own ticket, and no one else’s', async () => {
    const tech = await createTechnician(nd.desk, { name: 'Chloé Durand', phone: TECH, language: 'en' });
    await createTechnician(nd.desk, { name: 'Marc Petit', phone: OTHER, language: 'en' });

    // A requester texts in: a ticket on channel sms, offered to Chloé.
    expect(await text(REQUESTER, 'My badge does not open the door of room 204')).toBeNull();
    const opened = await waitFor('the texter’s ticket', async () => {
      const res = await request(nd.desk.app).get('/api/tickets?channel=sms').set(auth);
      return (res.body.items as { number: number; id: string }[])[0];
    });
    const n = String(opened.number);
    await request(nd.desk.app).patch(`/api/tickets/${n}`).set(auth).send({ assigneeId: tech.id }).expect(200);

    // Another technician: refused with the words every refusal uses, and nothing goes out.
    expect(await text(OTHER, `REPLY ${n} who are you?`)).toBe(EN.notYours(n));
    const outbox = await nd.desk.services.store.outbox.forTicket(opened.id);
    expect(outbox.filter((r) => r.kind === 'requester.reply')).toEqual([]);

    // Chloé, without the number: her one ticket waiting for an answer.
    expect(await text(TECH, 'REPLY I reset your badge, try again in 5 minutes')).toBe(EN.replied(n));
    const sent = await waitFor('the reply by SMS', () => textsTo(REQUESTER, 'I reset your badge')[0]);
    expect(sent.from).toBe(HOTLINE);
    expect(sent.body).toBe(`HD-${n}: I reset your badge, try again in 5 minutes\n- Chloé Durand, IT helpdesk`);
    expect(sent.statusCallback).toBe(`${PUBLIC_URL}/twilio/sms/status`);
    expect(textsTo(REQUESTER, 'who are you')).toEqual([]);

    // Recorded as an outbound message whose delivery status follows Twilio's reports, and an event.
    const recorded = await waitFor('the reply recorded', async () => {
      const d = await ticketDetail(nd.desk, n);
      return d.messages.find((m) => m.externalId === sent.sid);
    });
    expect(recorded).toMatchObject({ direction: 'out', channel: 'sms', to: REQUESTER, status: 'queued' });
    await statusCallback(sent.sid, REQUESTER, 'delivered');
    const d = await ticketDetail(nd.desk, n);
    expect(d.messages.find((m) => m.externalId === sent.sid)?.status).toBe('delivered');
    expect(d.events.filter((e) => e.type === 'reply')).toEqual([
      expect.objectContaining({
        actor: `technician:${tech.id}`,
        data: { body: 'I reset your badge, try again in 5 minutes', channel: 'sms' },
      }),
    ]);
  });

  it('brings a ticket pending on the requester back to work when they text back', async () => {
    const phone = '+33622200002';
    const tech = await createTechnician(nd.desk, { name: 'Léa Morel', phone: '+33711200003', language: 'en' });
    expect(await text(phone, 'Outlook asks for my password all the time')).toBeNull();
    const opened = await waitFor('the texter’s ticket', async () => {
      const res = await request(nd.desk.app).get('/api/tickets?channel=sms&q=Outlook').set(auth);
      return (res.body.items as { number: number }[])[0];
    });
    const n = String(opened.number);
    await request(nd.desk.app).patch(`/api/tickets/${n}`).set(auth).send({ assigneeId: tech.id }).expect(200);
    expect(await text('+33711200003', `ACCEPT ${n}`)).toBe(EN.accepted(n));
    expect(await text('+33711200003', `REPLY ${n} Which version of Outlook?`)).toBe(EN.replied(n));
    await request(nd.desk.app).patch(`/api/tickets/${n}`).set(auth).send({ status: 'pending' }).expect(200);

    await text(phone, 'Outlook 2021');
    const d = await ticketDetail(nd.desk, n);
    expect(d.status).toBe('in_progress');
    const types = d.events.map((e) => e.type);
    const answered = types.lastIndexOf('requester_replied');
    expect(answered).toBeGreaterThan(types.lastIndexOf('reply'));
    expect(d.events[answered + 1]).toMatchObject({ type: 'status_changed', data: { from: 'pending', to: 'in_progress' } });
  });

  it('is listed by HELP in English and in French, and a REPLY without text says how to write it', async () => {
    for (const lang of ['en', 'fr'] as const) expect(helpText(lang)).toContain('REPLY <n> <');
    expect(await text(TECH, 'HELP')).toBe(helpText('en'));
    expect(await text(TECH, 'REPLY 12')).toContain('REPLY <n> <text>');
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TECHNICIAN_REPLIES, helpText } from '../../../src/intake/twilio/technician-replies.js';
import type { TestDesk } from '../../support/desk.js';
import { find, findAll } from '../../unit/twilio/twiml.js';
import {
  HOTLINE,
  addTechnician,
  assign,
  attachmentsOf,
  auth,
  countTickets,
  knownRequester,
  openWebTicket,
  outboxOf,
  post,
  ticket,
  ticketsOn,
  twilioDesk,
  type Answer,
} from './webhooks.js';

const EN = TECHNICIAN_REPLIES.en;
const TECH_1 = '+33711000001';
const TECH_2 = '+33711000002';
const STRANGER = '+33711000003';
const REQUESTER = '+33622000001';

let desk: TestDesk;
let sid = 0;
beforeAll(async () => {
  desk = await twilioDesk();
});
afterAll(async () => {
  await desk?.close();
});

function sms(from: string, body: string, extra: Record<string, string> = {}) {
  sid += 1;
  return {
    MessageSid: `SM${String(sid).padStart(32, '0')}`,
    AccountSid: `AC${'0'.repeat(32)}`,
    From: from,
    To: HOTLINE,
    Body: body,
    NumMedia: '0',
    ...extra,
  };
}

async function text(from: string, body: string, extra: Record<string, string> = {}): Promise<Answer & { params: Record<string, string> }> {
  const params = sms(from, body, extra);
  return { ...(await post(desk, '/twilio/sms', params)), params };
}

/** The text of the TwiML reply, or null when Twilio is told to send nothing. */
const reply = (a: Answer) => find(a.doc, 'Message')?.text ?? null;

describe('a technician works a ticket by SMS', () => {
  let tech1: { id: string };
  let tech2: { id: string };
  beforeAll(async () => {
    tech1 = await addTechnician(desk, { name: 'Chloé Durand', phone: TECH_1, tier: 1, language: 'en' });
    tech2 = await addTechnician(desk, { name: 'Marc Petit', phone: TECH_2, tier: 2, language: 'en' });
    await addTechnician(desk, { name: 'Eve Stranger', phone: STRANGER, tier: 1, language: 'en' });
  });

  it('accepts, annotates, escalates, and (at the next tier) resolves it, each through the lifecycle', async () => {
    const t = await openWebTicket(desk, { name: 'Paul', email: 'paul@example.com' }, 'Switch port dead');
    const n = String(t.number);
    await assign(desk, t.number, tech1.id);

    expect(reply(await text(TECH_1, `ACCEPT ${n}`))).toBe(EN.accepted(n));
    expect((await ticket(desk, n)).status).toBe('in_progress');

    expect(reply(await text(TECH_1, `NOTE ${n} port 12 shows no link`))).toBe(EN.noted(n));
    const noted = await ticket(desk, n);
    expect(noted.events.find((e) => e.type === 'note')).toMatchObject({
      actor: `technician:${tech1.id}`,
      data: { body: 'port 12 shows no link', internal: true },
    });

    expect(reply(await text(TECH_1, `esc ${n} needs a network admin`))).toBe(EN.escalated(n, 2));
    expect(await ticket(desk, n)).toMatchObject({ tier: 2, status: 'new', assignee: null });

    await assign(desk, t.number, tech2.id);
    // No number: their one ticket waiting for an answer.
    expect(reply(await text(TECH_2, 'OK'))).toBe(EN.accepted(n));
    expect(reply(await text(TECH_2, `DONE ${n} replaced the switch module`))).toBe(EN.resolved(n));
    const resolved = await ticket(desk, n);
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'replaced the switch module' });
    expect(resolved.events.map((e) => e.type)).toEqual(expect.arrayContaining(['accepted', 'note', 'escalated', 'resolved']));
  });

  it('refuses a stranger’s DONE without changing anything or saying anything of the ticket', async () => {
    const t = await openWebTicket(desk, { name: 'Paul', email: 'paul@example.com' }, 'Secret project laptop');
    const n = String(t.number);
    await assign(desk, t.number, tech1.id);
    const before = await ticket(desk, n);

    const answer = reply(await text(STRANGER, `DONE ${n} fixed it`));
    const missing = reply(await text(STRANGER, 'DONE 987654 fixed it'));
    expect(answer).toBe(EN.notYours(n));
    // The same words whether the ticket is someone else's or does not exist.
    expect(answer?.replace(n, '#')).toBe(missing?.replace('987654', '#'));
    expect(answer).not.toContain('Secret');
    expect(answer).not.toContain('Chloé');

    // From a number that is not a technician's: a requester's text, which touches no other ticket.
    const fromOutside = await text('+33699999999', `DONE ${n} fixed it`);
    expect(reply(fromOutside)).toBeNull();

    const after = await ticket(desk, n);
    expect(after).toMatchObject({ status: before.status, resolution: null, assignee: { id: tech1.id } });
    expect(after.events).toHaveLength(before.events.length);
  });

  it('runs a redelivered command once', async () => {
    const t = await openWebTicket(desk, { name: 'Paul', email: 'paul@example.com' }, 'Toner');
    await assign(desk, t.number, tech1.id);
    const params = sms(TECH_1, `NOTE ${t.number} toner ordered`);
    expect(reply(await post(desk, '/twilio/sms', params))).toBe(EN.noted(String(t.number)));
    expect(reply(await post(desk, '/twilio/sms', params))).toBeNull();
    expect((await ticket(desk, t.number)).events.filter((e) => e.type === 'note')).toHaveLength(1);
  });

  it('answers LIST, HELP, a malformed command, and a move the ticket’s state forbids', async () => {
    const list = reply(await text(TECH_1, 'LIST'));
    expect(list).toMatch(/^Your open tickets \(\d+\):/);
    expect(reply(await text(TECH_1, 'help'))).toBe(helpText('en'));
    expect(reply(await text(TECH_1, 'NOTE'))).toContain('NOTE <n> <text>');
    const t = await openWebTicket(desk, { name: 'Paul', email: 'paul@example.com' }, 'Mouse');
    await assign(desk, t.number, tech1.id);
    await text(TECH_1, `ACCEPT ${t.number}`);
    expect(reply(await text(TECH_1, `ACCEPT ${t.number}`))).toBe(EN.refused(String(t.number)));
  });

  it('leaves a technician’s STOP to Twilio', async () => {
    expect(reply(await text(TECH_1, 'STOP'))).toBeNull();
  });
});

describe('texts from requesters', () => {
  it('adds a text from a known requester to their open ticket, and tells its technician', async () => {
    const tech = await addTechnician(desk, { name: 'Ines Roy', phone: '+33711000009' });
    const t = await openWebTicket(desk, { name: 'Rita', phone: REQUESTER }, 'Outlook crashes');
    await assign(desk, t.number, tech.id);
    const res = await request(desk.app).patch(`/api/tickets/${t.number}`).set(auth).send({ status: 'pending' });
    expect(res.status).toBe(200);
    const before = await countTickets(desk);

    const answer = await text(REQUESTER, 'It crashes again when I open the calendar', {
      NumMedia: '1',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
    });
    expect(reply(answer)).toBeNull();
    expect(await countTickets(desk)).toBe(before);
    const after = await ticket(desk, t.number);
    expect(after.status).toBe('in_progress');
    expect(after.messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'in', channel: 'sms', from: REQUESTER, body: 'It crashes again when I open the calendar' }),
      ]),
    );
    expect(after.events.map((e) => e.type)).toContain('requester_replied');
    expect(await attachmentsOf(desk, t.id)).toEqual([
      { url: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1', contentType: 'image/jpeg' },
    ]);
    const outbox = await outboxOf(desk, t.id);
    expect(outbox.find((o) => o.kind === 'technician.requester-replied')).toMatchObject({ recipient: '+33711000009' });
    expect(outbox.find((o) => o.kind === 'sms.text')).toMatchObject({ recipient: REQUESTER });

    // Redelivered: nothing more.
    await post(desk, '/twilio/sms', answer.params);
    const again = await ticket(desk, t.number);
    expect(again.messages).toHaveLength(after.messages.length);
    expect(again.events).toHaveLength(after.events.length);
    expect(await outboxOf(desk, t.id)).toHaveLength(outbox.length);
  });

  it('opens a ticket on channel sms for a text from an unknown number, MMS media kept as links', async () => {
    const from = '+33633000001';
    const before = await countTickets(desk);
    const params = sms(from, 'The badge reader at the front door refuses my badge', {
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/media/ME-a',
      MediaContentType0: 'image/png',
      MediaUrl1: 'https://api.twilio.com/media/ME-b',
      MediaContentType1: 'video/mp4',
    });
    await post(desk, '/twilio/sms', params);
    await post(desk, '/twilio/sms', params);
    expect(await countTickets(desk)).toBe(before + 1);
    const [opened] = (await ticketsOn(desk, 'sms')).filter((t) => t.requester.phone === from);
    expect(opened).toMatchObject({ channel: 'sms', description: 'The badge reader at the front door refuses my badge' });
    const detail = await ticket(desk, opened!.number);
    expect(detail.messages[0]).toMatchObject({ externalId: params.MessageSid, from });
    expect(await attachmentsOf(desk, opened!.id)).toEqual(
      expect.arrayContaining([
        { url: 'https://api.twilio.com/media/ME-a', contentType: 'image/png' },
        { url: 'https://api.twilio.com/media/ME-b', contentType: 'video/mp4' },
      ]),
    );
  });

  it('leaves STOP, START and HELP to Twilio: no ticket, no message, no reply', async () => {
    const before = await countTickets(desk);
    for (const word of ['STOP', 'stop.', 'START', 'HELP']) {
      const answer = await text('+33633000002', word);
      expect(findAll(answer.doc, 'Message')).toEqual([]);
      expect(await desk.services.store.messages.ticketIdOf('sms', answer.params.MessageSid ?? '')).toBeUndefined();
    }
    expect(await countTickets(desk)).toBe(before);
  });

  it('reopens the requester’s latest resolved ticket on REOPEN', async () => {
    const phone = '+33633000003';
    await knownRequester(desk, { name: 'Zoé', phone });
    const t = await openWebTicket(desk, { name: 'Zoé', phone }, 'Wi-Fi drops');
    const resolved = await request(desk.app)
      .post(`/api/tickets/${t.number}/resolve`)
      .set(auth)
      .send({ resolution: 'Moved the access point' });
    expect(resolved.status).toBe(200);
    const before = await countTickets(desk);
    await text(phone, 'REOPEN it drops again');
    expect(await countTickets(desk)).toBe(before);
    const after = await ticket(desk, t.number);
    expect(after.status).toBe('new');
    expect(after.events.find((e) => e.type === 'reopened')?.data).toMatchObject({ reason: 'it drops again' });
  });

  it('puts a thanks after the resolution on the resolved ticket: not reopened, no new ticket, nobody told', async () => {
    const phone = '+33633000006';
    const tech = await addTechnician(desk, { name: 'Hugo Lenoir', phone: '+33711000010' });
    const t = await openWebTicket(desk, { name: 'Lina', phone }, 'VPN refuses my password');
    await assign(desk, t.number, tech.id);
    const resolved = await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'Password reset' });
    expect(resolved.status).toBe(200);
    const before = await countTickets(desk);
    const outboxBefore = await outboxOf(desk, t.id);

    const thanks = await text(phone, 'Merci, c’est réparé !');
    await post(desk, '/twilio/sms', thanks.params);
    await text(phone, 'ok merci');
    expect(reply(thanks)).toBeNull();
    expect(await countTickets(desk)).toBe(before);
    const after = await ticket(desk, t.number);
    expect(after.status).toBe('resolved');
    expect(after.events.map((e) => e.type)).not.toContain('reopened');
    expect(after.messages.filter((m) => m.direction === 'in' && m.from === phone).map((m) => m.body)).toEqual(
      expect.arrayContaining(['Merci, c’est réparé !', 'ok merci']),
    );
    expect(after.events.filter((e) => e.type === 'requester_replied' && e.data.acknowledgement === true)).toHaveLength(2);
    expect(await outboxOf(desk, t.id)).toHaveLength(outboxBefore.length);

    // A thanks with a picture is not a bare thanks: the picture may well show the next problem.
    await text(phone, 'merci', { NumMedia: '1', MediaUrl0: 'https://api.twilio.com/media/ME-thanks', MediaContentType0: 'image/jpeg' });
    expect(await countTickets(desk)).toBe(before + 1);
    expect((await ticket(desk, t.number)).messages.some((m) => m.body === 'merci')).toBe(false);
  });

  it('still opens a ticket for a text that reads like the problem again, thanks or not', async () => {
    const phone = '+33633000008';
    const t = await openWebTicket(desk, { name: 'Noé', phone }, 'Scanner');
    await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'Driver reinstalled' });
    const before = await countTickets(desk);
    await text(phone, 'Merci mais ça ne marche toujours pas');
    expect(await countTickets(desk)).toBe(before + 1);
    expect((await ticket(desk, t.number)).status).toBe('resolved');
  });

  it('puts an English thanks on a ticket closed since its resolution', async () => {
    const phone = '+33633000007';
    const t = await openWebTicket(desk, { name: 'Sam', phone }, 'Mouse');
    await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'New mouse' });
    expect((await request(desk.app).post(`/api/tickets/${t.number}/close`).set(auth)).status).toBe(200);
    const before = await countTickets(desk);
    await text(phone, 'thanks, fixed');
    expect(await countTickets(desk)).toBe(before);
    const after = await ticket(desk, t.number);
    expect(after.status).toBe('closed');
    expect(after.messages.some((m) => m.body === 'thanks, fixed')).toBe(true);
  });

  it('takes a lone digit as the answer to the survey of a just-closed ticket', async () => {
    const phone = '+33633000004';
    const t = await openWebTicket(desk, { name: 'Yann', phone }, 'Keyboard');
    await request(desk.app).post(`/api/tickets/${t.number}/resolve`).set(auth).send({ resolution: 'New keyboard' });
    expect((await request(desk.app).post(`/api/tickets/${t.number}/close`).set(auth)).status).toBe(200);
    const before = await countTickets(desk);
    const answer = await text(phone, '4');
    await post(desk, '/twilio/sms', answer.params);
    expect(await countTickets(desk)).toBe(before);
    const rated = (await ticket(desk, t.number)).events.filter((e) => e.type === 'satisfaction');
    expect(rated.map((e) => e.data)).toEqual([{ score: 4, via: 'sms' }]);
  });
});

describe('delivery reports of the texts we sent', () => {
  it('records the status on the outbound message, never moving it back', async () => {
    const t = await openWebTicket(desk, { name: 'Rose', phone: '+33633000005' }, 'Screen');
    const { store } = desk.services;
    const messageSid = 'SM' + 'f'.repeat(32);
    await store.transaction((tx) =>
      tx.messages.record({
        ticketId: t.id,
        direction: 'out',
        channel: 'sms',
        sender: HOTLINE,
        recipient: '+33633000005',
        body: 'Request received',
        externalId: messageSid,
        status: 'sent',
      }),
    );
    const report = (status: string) =>
      post(desk, '/twilio/sms/status', { MessageSid: messageSid, MessageStatus: status, AccountSid: `AC${'0'.repeat(32)}` });
    await report('delivered');
    await report('sent');
    const out = (await ticket(desk, t.number)).messages.find((m) => m.externalId === messageSid);
    expect(out).toMatchObject({ direction: 'out', status: 'delivered' });
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPTS, spellDigits } from '../../../src/intake/twilio/voice-prompts.js';
import type { TestDesk } from '../../support/desk.js';
import { actionOf, attrOf, redirectOf } from '../../unit/twilio/fake-desk.js';
import { find, spoken } from '../../unit/twilio/twiml.js';
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
} from './webhooks.js';

/** The caller's ticket number goes out once by SMS: with the acknowledgement, or by the menu itself. */
const textsTheNumber = (o: { kind: string; channel: string }) =>
  o.channel === 'sms' && (o.kind === 'requester.created' || o.kind === 'sms.text');

const ALICE = '+33612345678';
const BOB = '+33698765432';
const ON_CALL = '+33700000001';
const call = (sid: string, from = ALICE) => ({
  CallSid: sid,
  AccountSid: `AC${'0'.repeat(32)}`,
  From: from,
  To: HOTLINE,
  CallStatus: 'in-progress',
  Direction: 'inbound',
});

let desk: TestDesk;
beforeAll(async () => {
  desk = await twilioDesk();
  await knownRequester(desk, { name: 'Alice Martin', phone: ALICE });
});
afterAll(async () => {
  await desk?.close();
});

/** The ticket a call opened: the one whose inbound message carries the CallSid. */
async function voiceTicketOf(callSid: string) {
  for (const t of await ticketsOn(desk, 'voice')) {
    const detail = await ticket(desk, t.number);
    if (detail.messages.some((m) => m.externalId === callSid)) return detail;
  }
  return undefined;
}

describe('a known caller reports a problem', () => {
  it('is greeted by name, describes it, hears a number that exists as a ticket with the transcript, and gets it by SMS', async () => {
    const c = call('CA1000');
    const start = await post(desk, '/twilio/voice', c);
    expect(spoken(start.doc)[0]).toBe(PROMPTS.fr.greetingByName('Alice Martin'));

    const describe = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    expect(find(describe.doc, 'Gather')?.attrs).toMatchObject({ input: 'speech', language: 'fr-FR' });

    const said = 'Mon imprimante du deuxième étage affiche une erreur papier';
    const before = await countTickets(desk);
    const done = await post(desk, actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: said, Confidence: '0.92' });
    expect(await countTickets(desk)).toBe(before + 1);

    const created = await voiceTicketOf('CA1000');
    expect(created).toBeDefined();
    const t = created!;
    expect(t).toMatchObject({ channel: 'voice', description: said, status: 'new' });
    expect(t.requester).toMatchObject({ name: 'Alice Martin', phone: ALICE });
    const heard = spoken(done.doc).join(' ');
    expect(heard).toContain(spellDigits(String(t.number)));
    expect(spoken(done.doc)).toContain(PROMPTS.fr.numberTexted);
    expect(find(done.doc, 'Hangup')).toBeDefined();

    const texts = (await outboxOf(desk, t.id)).filter(textsTheNumber);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ channel: 'sms', recipient: ALICE });
    expect(texts[0]).toMatchObject({ kind: 'requester.created', payload: { number: t.number } });

    // Twilio retries the same action: the same number is read back, nothing new is opened or texted.
    const retry = await post(desk, actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: said });
    expect(spoken(retry.doc).join(' ')).toContain(spellDigits(String(t.number)));
    expect(spoken(retry.doc)).not.toContain(PROMPTS.fr.numberTexted);
    expect(await countTickets(desk)).toBe(before + 1);
    expect((await outboxOf(desk, t.id)).filter(textsTheNumber)).toHaveLength(1);
  });

  it('hears known outages before the menu', async () => {
    const { store } = desk.services;
    const outage = await store.outages.create({ title: 'la messagerie', message: 'Outlook ne se connecte plus' });
    try {
      const start = await post(desk, '/twilio/voice', call('CA1001'));
      expect(spoken(start.doc)[1]).toContain('la messagerie');
    } finally {
      await store.outages.end(outage.id);
    }
  });

  it('hears each outage in the language chosen: its translation when the coordinator gave one, else as written', async () => {
    const translated = await request(desk.app)
      .post('/api/outages')
      .set(auth)
      .send({
        title: 'la messagerie',
        message: 'Outlook ne se connecte plus',
        translations: { en: { title: 'email', message: 'Outlook does not connect' } },
      });
    expect(translated.status, translated.text).toBe(201);
    expect(translated.body.translations).toEqual({ en: { title: 'email', message: 'Outlook does not connect' } });
    const plain = await request(desk.app).post('/api/outages').set(auth).send({ title: 'VPN', message: 'Le VPN est coupé' });
    expect(plain.status).toBe(201);
    expect(plain.body.translations).toBeUndefined();
    try {
      const c = call('CA1005', '+33611110000');
      const start = await post(desk, '/twilio/voice', c);
      expect(spoken(start.doc)).toContain(PROMPTS.fr.outages(['VPN', 'la messagerie']));
      const english = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '9' });
      expect(spoken(english.doc)).toContain(PROMPTS.en.outages(['VPN', 'email']));
      expect(spoken(english.doc)).toContain(PROMPTS.en.menu);
      const listed = await request(desk.app).get('/api/outages').set(auth);
      expect(listed.body.items.find((o: { id: string }) => o.id === translated.body.id)?.translations?.en?.title).toBe('email');
    } finally {
      await request(desk.app).delete(`/api/outages/${translated.body.id}`).set(auth).expect(204);
      await request(desk.app).delete(`/api/outages/${plain.body.id}`).set(auth).expect(204);
    }
  });

  it('opens the ticket from the words heard when the caller hangs up mid-sentence', async () => {
    const c = call('CA1002');
    const start = await post(desk, '/twilio/voice', c);
    const describe = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    await post(desk, attrOf(describe.doc, 'Gather', 'partialResultCallback'), {
      CallSid: c.CallSid,
      StableSpeechResult: 'mon écran',
      UnstableSpeechResult: 'mon écran reste noir',
    });
    await post(desk, '/twilio/voice/status', { ...c, CallStatus: 'completed', CallDuration: '40' });
    const t = await voiceTicketOf('CA1002');
    expect(t).toMatchObject({ description: 'mon écran reste noir', channel: 'voice' });
    expect(t?.events.find((e) => e.type === 'call_status')?.data).toMatchObject({ status: 'completed', durationSeconds: 40 });
  });
});

describe('checking a ticket by its number', () => {
  let number: number;
  beforeAll(async () => {
    const t = await openWebTicket(desk, { name: 'Alice Martin', phone: ALICE }, 'VPN drops');
    const tech = await addTechnician(desk, { name: 'Chloé Durand', phone: '+33711111111' });
    await assign(desk, t.number, tech.id);
    number = t.number;
  });

  async function check(from: string, sid: string) {
    const c = call(sid, from);
    const start = await post(desk, '/twilio/voice', c);
    const ask = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '2' });
    return post(desk, actionOf(ask.doc, 'Gather'), { ...c, Digits: String(number) });
  }

  it('tells the requester the status and the technician’s name', async () => {
    const r = await check(ALICE, 'CA2000');
    expect(spoken(r.doc)).toEqual(
      expect.arrayContaining([PROMPTS.fr.status(String(number), 'assigned'), PROMPTS.fr.technician('Chloé Durand')]),
    );
  });

  it('tells anyone else the status alone', async () => {
    const r = await check(BOB, 'CA2001');
    const heard = spoken(r.doc).join(' ');
    expect(heard).toContain(PROMPTS.fr.status(String(number), 'assigned'));
    expect(heard).not.toContain('Chloé');
    expect(heard).toContain(PROMPTS.fr.notYours);
  });
});

describe('an urgent call', () => {
  it('opens a high-urgency ticket, is dialled through to the on-call technician, and on no answer reaches voicemail', async () => {
    await addTechnician(desk, { name: 'Marc Petit', phone: ON_CALL, onCall: true, tier: 2 });
    const c = call('CA3000');
    const start = await post(desk, '/twilio/voice', c);
    const ringing = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '3' });
    const t = await voiceTicketOf('CA3000');
    expect(t).toMatchObject({ urgency: 'high', channel: 'voice' });
    expect(spoken(ringing.doc).join(' ')).toContain(spellDigits(String(t!.number)));
    expect(find(ringing.doc, 'Dial')?.attrs.timeout).toBe('20');
    expect(find(ringing.doc, 'Number')?.text).toBe(ON_CALL);

    const noAnswer = await post(desk, actionOf(ringing.doc, 'Dial'), { ...c, DialCallStatus: 'no-answer' });
    expect(spoken(noAnswer.doc)[0]).toBe(PROMPTS.fr.onCallUnavailable);
    const rec = { RecordingSid: 'RE3000', RecordingUrl: 'https://api.twilio.com/2010-04-01/Recordings/RE3000', RecordingDuration: '14' };
    const saved = await post(desk, actionOf(noAnswer.doc, 'Record'), { ...c, ...rec });
    expect(spoken(saved.doc)[0]).toBe(PROMPTS.fr.messageSaved(String(t!.number)));
    // The recording's status callback for the same message links nothing twice.
    await post(desk, attrOf(noAnswer.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      ...rec,
      RecordingStatus: 'completed',
    });

    expect(await attachmentsOf(desk, t!.id)).toEqual([{ url: rec.RecordingUrl, contentType: 'audio/x-wav' }]);
    const after = await ticket(desk, t!.number);
    expect(after.events.filter((e) => e.type === 'recording_attached')).toHaveLength(1);
    expect((await ticketsOn(desk, 'voice')).filter((v) => v.id === t!.id)).toHaveLength(1);
  });
});

describe('call status callbacks', () => {
  it('records duration and outcome on the call’s ticket, once', async () => {
    const c = call('CA4000');
    const start = await post(desk, '/twilio/voice', c);
    const describe = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    await post(desk, actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: 'Le VPN ne se connecte plus' });
    const status = { ...c, CallStatus: 'completed', CallDuration: '73' };
    await post(desk, '/twilio/voice/status', status);
    await post(desk, '/twilio/voice/status', status);
    const t = await voiceTicketOf('CA4000');
    const calls = t!.events.filter((e) => e.type === 'call_status');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.data).toMatchObject({ callSid: 'CA4000', status: 'completed', durationSeconds: 73 });
  });

  it('opens nothing for a call where nobody said a word', async () => {
    const c = call('CA4001', BOB);
    const before = await countTickets(desk);
    let r = await post(desk, '/twilio/voice', c);
    for (let i = 0; i < 3; i += 1) r = await post(desk, redirectOf(r.doc), c);
    expect(find(r.doc, 'Record')).toBeDefined();
    await post(desk, attrOf(r.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      RecordingSid: 'RE4001',
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Recordings/RE4001',
      RecordingDuration: '0',
      RecordingStatus: 'completed',
    });
    await post(desk, '/twilio/voice/status', { ...c, CallStatus: 'completed', CallDuration: '31' });
    expect(await countTickets(desk)).toBe(before);
  });
});

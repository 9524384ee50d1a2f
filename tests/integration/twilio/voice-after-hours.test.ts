import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPTS, VOICE_TICKET_TEXTS, spellDigits } from '../../../src/intake/twilio/voice-prompts.js';
import type { TestDesk } from '../../support/desk.js';
import { actionOf, attrOf } from '../../unit/twilio/fake-desk.js';
import { find, spoken } from '../../unit/twilio/twiml.js';
import { HOTLINE, attachmentsOf, countTickets, outboxOf, post, ticket, ticketsOn, twilioDesk } from './webhooks.js';

/** The caller's ticket number goes out once by SMS: with the acknowledgement, or by the menu itself. */
const textsTheNumber = (o: { kind: string; channel: string }) =>
  o.channel === 'sms' && (o.kind === 'requester.created' || o.kind === 'sms.text');

const CALLER = '+447700900123';
const TIMEZONE = 'Europe/Paris';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Open only on a day three days from today in the desk's zone: closed now, and still closed if the
 * test happens to run across midnight.
 */
function hoursExcludingNow(): string {
  const today = DateTime.now().setZone(TIMEZONE).weekday; // 1 = Monday
  return `${DAYS[(today - 1 + 3) % 7]} 08:00-18:00`;
}

const call = (sid: string) => ({ CallSid: sid, AccountSid: `AC${'0'.repeat(32)}`, From: CALLER, To: HOTLINE, CallStatus: 'in-progress' });

let desk: TestDesk;
beforeAll(async () => {
  desk = await twilioDesk({ HELPDESK_BUSINESS_HOURS: hoursExcludingNow(), HELPDESK_TIMEZONE: TIMEZONE, HELPDESK_LANGUAGE: 'en' });
});
afterAll(async () => {
  await desk?.close();
});

describe('a call after business hours', () => {
  it('reaches voicemail straight away, the message opens a ticket, and the transcript becomes its description', async () => {
    const c = call('CA5000');
    const start = await post(desk, '/twilio/voice', c);
    expect(spoken(start.doc)).toContain(PROMPTS.en.afterHours);
    expect(spoken(start.doc)).toContain(PROMPTS.fr.switchHint);
    expect(find(start.doc, 'Record')?.attrs.transcribe).toBe('true');

    const rec = { RecordingSid: 'RE5000', RecordingUrl: 'https://api.twilio.com/2010-04-01/Recordings/RE5000', RecordingDuration: '21' };
    const before = await countTickets(desk);
    const done = await post(desk, actionOf(start.doc, 'Record'), { ...c, ...rec });
    // The recording callback of the same message, then a retried one: nothing more.
    const callback = attrOf(start.doc, 'Record', 'recordingStatusCallback');
    await post(desk, callback, { CallSid: c.CallSid, ...rec, RecordingStatus: 'completed' });
    await post(desk, callback, { CallSid: c.CallSid, ...rec, RecordingStatus: 'completed' });
    expect(await countTickets(desk)).toBe(before + 1);

    const [opened] = await ticketsOn(desk, 'voice');
    const number = String(opened!.number);
    expect(spoken(done.doc).join(' ')).toContain(spellDigits(number));
    let t = await ticket(desk, number);
    expect(t.description).toBe(VOICE_TICKET_TEXTS.en.voicemail);
    expect(t.requester.phone).toBe(CALLER);
    expect(await attachmentsOf(desk, t.id)).toEqual([{ url: rec.RecordingUrl, contentType: 'audio/x-wav' }]);
    expect((await outboxOf(desk, t.id)).filter(textsTheNumber)).toHaveLength(1);

    const transcript = { ...c, ...rec, TranscriptionStatus: 'completed', TranscriptionText: 'The printer on floor two is jammed.' };
    const transcribe = attrOf(start.doc, 'Record', 'transcribeCallback');
    await post(desk, transcribe, transcript);
    await post(desk, transcribe, transcript);
    t = await ticket(desk, number);
    expect(t.description).toBe('The printer on floor two is jammed.');
    expect(t.subject).toBe('The printer on floor two is jammed.');
    expect(t.events.filter((e) => e.type === 'transcript_added')).toHaveLength(1);
  });

  it('opens the ticket from a message cut short by a hang-up, texting the number to the caller', async () => {
    const c = call('CA5001');
    const start = await post(desk, '/twilio/voice', c);
    // No <Record> action after a hang-up: only the recording callback, which does not post From.
    await post(desk, attrOf(start.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      RecordingSid: 'RE5001',
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Recordings/RE5001',
      RecordingDuration: '6',
      RecordingStatus: 'completed',
    });
    const all = await Promise.all((await ticketsOn(desk, 'voice')).map((v) => ticket(desk, v.number)));
    const t = all.find((v) => v.messages.some((m) => m.externalId === 'CA5001'));
    expect(t?.description).toBe(VOICE_TICKET_TEXTS.en.voicemail);
    expect(t?.requester.phone).toBe(CALLER);
    const texts = (await outboxOf(desk, t!.id)).filter(textsTheNumber);
    expect(texts.map((o) => o.recipient)).toEqual([CALLER]);
  });

  it('switches to French on 9, and the French voicemail promises no transcript since none is asked for', async () => {
    const c = call('CA5002');
    const start = await post(desk, '/twilio/voice', c);
    const french = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '9' });
    expect(spoken(french.doc)).toContain(PROMPTS.fr.afterHours);
    expect(find(french.doc, 'Record')?.attrs.transcribe).toBeUndefined();
    const rec = { RecordingSid: 'RE5002', RecordingUrl: 'https://api.twilio.com/2010-04-01/Recordings/RE5002', RecordingDuration: '14' };
    await post(desk, actionOf(french.doc, 'Record'), { ...c, ...rec });
    const all = await Promise.all((await ticketsOn(desk, 'voice')).map((v) => ticket(desk, v.number)));
    const t = all.find((v) => v.messages.some((m) => m.externalId === 'CA5002'));
    expect(t?.description).toBe(VOICE_TICKET_TEXTS.fr.voicemail);
    expect(t?.description).not.toMatch(/transcri/i);
  });
});

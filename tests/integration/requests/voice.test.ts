import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { PROMPTS, VOICE_TICKET_TEXTS, spellDigits } from '../../../src/intake/twilio/voice-prompts.js';
import type { TestDesk } from '../../support/desk.js';
import { actionOf, attrOf } from '../../unit/twilio/fake-desk.js';
import { spoken } from '../../unit/twilio/twiml.js';
import { HOTLINE, attachmentsOf, auth, outboxOf, post, twilioDesk } from '../twilio/webhooks.js';

/**
 * Asking for something by phone (#17): menu option 4, the caller says what they need after the
 * beep, and the recording opens a service request of the catalog's `other` item (the desk qualifies
 * it), with the recording attached, the transcript on it in English, and the number texted once.
 */

const CALLER = '+447700900123';
const call = (sid: string) => ({ CallSid: sid, AccountSid: `AC${'0'.repeat(32)}`, From: CALLER, To: HOTLINE, CallStatus: 'in-progress' });
const rec = (sid: string) => ({ RecordingSid: sid, RecordingUrl: `https://api.twilio.com/rec/${sid}`, RecordingDuration: '17' });

let desk: TestDesk;
beforeAll(async () => {
  desk = await twilioDesk({ HELPDESK_LANGUAGE: 'en' });
});
afterAll(async () => {
  await desk?.close();
});

async function requestsListed(): Promise<TicketDetail[]> {
  const res = await request(desk.app).get('/api/tickets?type=request').set(auth);
  expect(res.status).toBe(200);
  const numbers = (res.body.items as { number: number }[]).map((t) => t.number);
  return Promise.all(numbers.map(async (n) => (await request(desk.app).get(`/api/tickets/${n}`).set(auth)).body as TicketDetail));
}

describe('option 4 of the voice menu', () => {
  it('opens an "other" request from the recording, its transcript on it, the number texted once', async () => {
    const c = call('CA17001');
    const start = await post(desk, '/twilio/voice', c);
    expect(spoken(start.doc)).toContain(PROMPTS.en.menu);
    const asking = await post(desk, actionOf(start.doc, 'Gather'), { ...c, Digits: '4' });
    expect(spoken(asking.doc)[0]).toBe(PROMPTS.en.request);

    const done = await post(desk, actionOf(asking.doc, 'Record'), { ...c, ...rec('RE17001') });
    const [opened, ...more] = await requestsListed();
    expect(more).toEqual([]);
    expect(opened).toMatchObject({ type: 'request', channel: 'voice', subject: VOICE_TICKET_TEXTS.en.requestSubject });
    expect(opened?.requester.phone).toBe(CALLER);
    expect(opened?.request).toMatchObject({ item: { id: 'other' }, approvals: [] });
    // "other" needs nobody's approval: it waits for a technician like any new ticket.
    expect(opened?.status).not.toBe('awaiting_approval');
    expect(spoken(done.doc).join(' ')).toContain(spellDigits(String(opened!.number)));
    expect(await attachmentsOf(desk, opened!.id)).toEqual([{ url: rec('RE17001').RecordingUrl, contentType: 'audio/x-wav' }]);

    // The status callback of the same recording, and Twilio's transcript, open nothing more.
    await post(desk, attrOf(asking.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      ...rec('RE17001'),
      RecordingStatus: 'completed',
    });
    const said = 'I need a second monitor for my desk in building B.';
    await post(desk, attrOf(asking.doc, 'Record', 'transcribeCallback'), {
      ...c,
      ...rec('RE17001'),
      TranscriptionStatus: 'completed',
      TranscriptionText: said,
    });
    const [after, ...none] = await requestsListed();
    expect(none).toEqual([]);
    expect(after?.description).toBe(said);
    const texts = (await outboxOf(desk, after!.id)).filter(
      (o) => o.channel === 'sms' && (o.kind === 'requester.created' || o.kind === 'sms.text'),
    );
    expect(texts).toHaveLength(1);
    expect(texts[0]?.recipient).toBe(CALLER);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { PROMPTS, TRANSCRIBED_LANGUAGES, VOICE_TICKET_TEXTS } from '../../../src/intake/twilio/voice-prompts.js';
import { FakeDesk, actionOf, attrOf } from './fake-desk.js';
import { find, spoken } from './twiml.js';

/** Option 4 of the menu: asking for something (#17), recorded like a voicemail, opening a request. */

const ALICE = '+33612345678';
const call = (sid: string, from = ALICE) => ({ CallSid: sid, From: from, To: '+33100000000', AccountSid: 'AC1' });
const rec = (sid: string) => ({ RecordingSid: sid, RecordingUrl: `https://api.twilio.com/rec/${sid}`, RecordingDuration: '14' });

let desk: FakeDesk;
beforeEach(() => {
  desk = new FakeDesk();
});

describe('asking for something by phone', () => {
  it('is offered in the menu in both languages', () => {
    expect(PROMPTS.fr.menu).toContain('tapez 4');
    expect(PROMPTS.en.menu).toContain('press 4');
  });

  it('records what the caller asks for and opens a request from it, its number read back and texted once', async () => {
    const c = call('CA700');
    const start = await desk.post('/twilio/voice', c);
    const asking = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '4' });
    expect(spoken(asking.doc)[0]).toBe(PROMPTS.fr.request);
    expect(find(asking.doc, 'Record')?.attrs).toMatchObject({ finishOnKey: '#', playBeep: 'true' });
    // French is not transcribed by Twilio: no transcript asked for, none promised.
    expect(find(asking.doc, 'Record')?.attrs.transcribe).toBeUndefined();
    expect(VOICE_TICKET_TEXTS.fr.request).not.toMatch(/transcri/i);

    const done = await desk.post(actionOf(asking.doc, 'Record'), { ...c, ...rec('RE700') });
    expect(desk.created).toEqual([
      expect.objectContaining({
        origin: 'request',
        lang: 'fr',
        subject: VOICE_TICKET_TEXTS.fr.requestSubject,
        description: VOICE_TICKET_TEXTS.fr.request,
        recording: { sid: 'RE700', url: 'https://api.twilio.com/rec/RE700', durationSeconds: 14 },
      }),
    ]);
    expect(spoken(done.doc).join(' ')).toContain('1, 0, 4, 2');
    expect(desk.texts).toEqual([{ to: ALICE, ticketNumber: '1042', lang: 'fr' }]);

    // The recording's status callback, arriving after the action, opens nothing more.
    await desk.post(attrOf(asking.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      ...rec('RE700'),
      RecordingStatus: 'completed',
    });
    expect(desk.created).toHaveLength(1);
    expect(desk.texts).toHaveLength(1);
  });

  it('opens the request from the status callback alone when the caller hangs up while speaking', async () => {
    const c = call('CA701');
    const start = await desk.post('/twilio/voice', c);
    const asking = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '4' });
    await desk.post(attrOf(asking.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      ...rec('RE701'),
      RecordingStatus: 'completed',
    });
    expect(desk.created[0]).toMatchObject({ origin: 'request', from: null, recording: { sid: 'RE701' } });
    expect(desk.texts).toEqual([{ to: ALICE, ticketNumber: '1042', lang: 'fr' }]);
  });

  it('in English, asks Twilio for the transcript and puts it on the request', async () => {
    desk.defaultLanguage = 'en';
    const c = call('CA702', '+447700900123');
    const start = await desk.post('/twilio/voice', c);
    const asking = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '4' });
    expect(spoken(asking.doc)[0]).toBe(PROMPTS.en.request);
    expect(find(asking.doc, 'Record')?.attrs.transcribe).toBe(TRANSCRIBED_LANGUAGES.includes('en') ? 'true' : undefined);
    await desk.post(actionOf(asking.doc, 'Record'), { ...c, ...rec('RE702') });
    await desk.post(attrOf(asking.doc, 'Record', 'transcribeCallback'), {
      ...c,
      ...rec('RE702'),
      TranscriptionStatus: 'completed',
      TranscriptionText: 'I need access to the payroll application for my new assistant.',
    });
    expect(desk.created[0]).toMatchObject({ origin: 'request', lang: 'en', description: VOICE_TICKET_TEXTS.en.request });
    expect(desk.tickets.get('1042')?.transcripts).toEqual(['I need access to the payroll application for my new assistant.']);
  });

  it('opens nothing from a silent recording', async () => {
    const c = call('CA703');
    const start = await desk.post('/twilio/voice', c);
    const asking = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '4' });
    await desk.post(actionOf(asking.doc, 'Record'), { ...c, ...rec('RE703'), RecordingDuration: '0' });
    expect(desk.created).toHaveLength(0);
  });
});

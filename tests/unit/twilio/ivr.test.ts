import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_MENU_REPEATS, step, subjectOf } from '../../../src/intake/twilio/ivr.js';
import { INITIAL_STATE, voiceUrl } from '../../../src/intake/twilio/ivr-state.js';
import { PROMPTS, TRANSCRIBED_LANGUAGES, VOICE_TICKET_TEXTS, spellDigits } from '../../../src/intake/twilio/voice-prompts.js';
import { FakeDesk, actionOf, attrOf, redirectOf } from './fake-desk.js';
import { find, findAll, spoken, urlsOf } from './twiml.js';

const ALICE = '+33612345678';
const BOB = '+33698765432';
const call = (sid: string, from = ALICE) => ({ CallSid: sid, From: from, To: '+33100000000', AccountSid: 'AC1' });

let desk: FakeDesk;
beforeEach(() => {
  desk = new FakeDesk();
  desk.callers.set(ALICE, { name: 'Alice Martin', language: null });
});

describe('a known caller reports a problem', () => {
  it('is greeted by name, speaks, hears the new number digit by digit and gets it by SMS', async () => {
    const c = call('CA100');
    const start = await desk.post('/twilio/voice', c);
    expect(spoken(start.doc)[0]).toBe(PROMPTS.fr.greetingByName('Alice Martin'));
    expect(find(start.doc, 'Gather')?.attrs).toMatchObject({ input: 'dtmf', numDigits: '1' });

    const describe = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    const gather = find(describe.doc, 'Gather');
    expect(gather?.attrs).toMatchObject({ input: 'speech', language: 'fr-FR' });
    expect(gather?.attrs.partialResultCallback).toMatch(/^\/twilio\/voice\/partial\?/);

    const said = 'Mon imprimante du deuxième étage affiche une erreur papier';
    const done = await desk.post(actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: said, Confidence: '0.92' });
    expect(desk.created).toHaveLength(1);
    expect(desk.created[0]).toMatchObject({ description: said, origin: 'describe', urgency: 'medium', from: ALICE });
    expect(spoken(done.doc).join(' ')).toContain('1, 0, 4, 2');
    expect(spoken(done.doc)).toContain(PROMPTS.fr.numberTexted);
    expect(find(done.doc, 'Hangup')).toBeDefined();
    expect(desk.texts).toEqual([{ to: ALICE, ticketNumber: '1042', lang: 'fr' }]);

    // Twilio retries the same action: the same number is read back, nothing new is opened or sent.
    const retry = await desk.post(actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: said });
    expect(spoken(retry.doc).join(' ')).toContain('1, 0, 4, 2');
    expect(desk.created).toHaveLength(1);
    expect(desk.texts).toHaveLength(1);
  });

  it('announces known outages before the menu', async () => {
    desk.outages = [{ title: 'la messagerie' }];
    const start = await desk.post('/twilio/voice', call('CA101'));
    const texts = spoken(start.doc);
    expect(texts[1]).toContain('la messagerie');
    const menuIndex = texts.indexOf(PROMPTS.fr.menu);
    expect(menuIndex).toBeGreaterThan(1);
  });

  it('speaks the caller’s own language first and offers the other one a key away', async () => {
    desk.callers.set(BOB, { name: 'Bob', language: 'en' });
    const start = await desk.post('/twilio/voice', call('CA102', BOB));
    const says = findAll(start.doc, 'Say');
    expect(says[0]?.attrs).toMatchObject({ voice: 'Polly.Joanna', language: 'en-US' });
    expect(says.at(-1)).toMatchObject({ text: PROMPTS.fr.switchHint, attrs: { voice: 'Polly.Lea', language: 'fr-FR' } });
  });

  it('switches to English on 9 and stays in English', async () => {
    const c = call('CA103', '+33611111111');
    const start = await desk.post('/twilio/voice', c);
    expect(spoken(start.doc)[0]).toBe(PROMPTS.fr.greeting);
    const english = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '9' });
    expect(spoken(english.doc)).toContain(PROMPTS.en.menu);
    const describe = await desk.post(actionOf(english.doc, 'Gather'), { ...c, Digits: '1' });
    expect(find(describe.doc, 'Gather')?.attrs.language).toBe('en-US');
    const done = await desk.post(actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: 'My laptop will not boot' });
    expect(spoken(done.doc)[0]).toBe(PROMPTS.en.ticketNumber('1042'));
    expect(desk.texts[0]?.lang).toBe('en');
  });
});

describe('checking a ticket by its number', () => {
  beforeEach(() => {
    desk.addTicket({ number: '2001', status: 'in_progress', assigneeName: 'Chloé Durand', requesterPhone: ALICE });
    desk.addTicket({ number: '2002', status: 'assigned', assigneeName: 'Marc Petit', requesterPhone: BOB });
  });

  async function check(number: string, from = ALICE) {
    const c = call(`CA-check-${number}-${from}`, from);
    const start = await desk.post('/twilio/voice', c);
    const ask = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '2' });
    expect(find(ask.doc, 'Gather')?.attrs.finishOnKey).toBe('#');
    return desk.post(actionOf(ask.doc, 'Gather'), { ...c, Digits: number });
  }

  it('tells the owner the status and the technician', async () => {
    const r = await check('2001');
    expect(spoken(r.doc)).toEqual(
      expect.arrayContaining([PROMPTS.fr.status('2001', 'in_progress'), PROMPTS.fr.technician('Chloé Durand')]),
    );
    expect(find(r.doc, 'Gather')).toBeDefined(); // back to the menu
  });

  it('tells anyone else the status alone', async () => {
    const r = await check('2002');
    const text = spoken(r.doc).join(' ');
    expect(text).toContain(PROMPTS.fr.status('2002', 'assigned'));
    expect(text).not.toContain('Marc');
    expect(text).toContain(PROMPTS.fr.notYours);
  });

  it('tells an unknown caller the status alone, even of a real ticket', async () => {
    const r = await check('2001', '+33622222222');
    expect(spoken(r.doc).join(' ')).not.toContain('Chloé');
  });

  it('says so when no ticket has that number', async () => {
    const r = await check('9999');
    expect(spoken(r.doc)).toContain(PROMPTS.fr.notFound('9999'));
  });
});

describe('the urgent option', () => {
  it('opens a high-urgency ticket, rings the on-call phone, and on no answer takes a voicemail onto it', async () => {
    const c = call('CA300');
    const start = await desk.post('/twilio/voice', c);
    const ringing = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '3' });
    expect(desk.created[0]).toMatchObject({ urgency: 'high', origin: 'urgent' });
    expect(spoken(ringing.doc).join(' ')).toContain('1, 0, 4, 2');
    const dial = find(ringing.doc, 'Dial');
    expect(dial?.attrs.timeout).toBe('20');
    expect(find(ringing.doc, 'Number')?.text).toBe('+33700000001');
    expect(desk.texts).toHaveLength(1);

    const noAnswer = await desk.post(actionOf(ringing.doc, 'Dial'), { ...c, DialCallStatus: 'no-answer' });
    expect(spoken(noAnswer.doc)[0]).toBe(PROMPTS.fr.onCallUnavailable);
    expect(find(noAnswer.doc, 'Record')).toBeDefined();

    const recording = { RecordingSid: 'RE300', RecordingUrl: 'https://api.twilio.com/rec/RE300', RecordingDuration: '14' };
    const saved = await desk.post(actionOf(noAnswer.doc, 'Record'), { ...c, ...recording });
    expect(spoken(saved.doc)[0]).toBe(PROMPTS.fr.messageSaved('1042'));
    expect(desk.created).toHaveLength(1);
    expect(desk.tickets.get('1042')?.recordings).toEqual(['RE300']);
  });

  it.each(['busy', 'failed', 'canceled'])('goes to voicemail when the on-call phone is %s', async (status) => {
    const c = call(`CA301-${status}`);
    const start = await desk.post('/twilio/voice', c);
    const ringing = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '3' });
    const next = await desk.post(actionOf(ringing.doc, 'Dial'), { ...c, DialCallStatus: status });
    expect(find(next.doc, 'Record')).toBeDefined();
  });

  it('hangs up politely after a completed conversation with the technician', async () => {
    const c = call('CA302');
    const start = await desk.post('/twilio/voice', c);
    const ringing = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '3' });
    const after = await desk.post(actionOf(ringing.doc, 'Dial'), { ...c, DialCallStatus: 'completed' });
    expect(find(after.doc, 'Record')).toBeUndefined();
    expect(find(after.doc, 'Hangup')).toBeDefined();
  });

  it('goes straight to voicemail when nobody is on call', async () => {
    desk.onCallPhone = null;
    const c = call('CA303');
    const start = await desk.post('/twilio/voice', c);
    const r = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '3' });
    expect(find(r.doc, 'Dial')).toBeUndefined();
    expect(spoken(r.doc)).toContain(PROMPTS.fr.noOnCall);
    expect(actionOf(r.doc, 'Record')).toContain('ticket=1042');
  });
});

describe('after business hours', () => {
  it('takes a voicemail straight into a ticket', async () => {
    desk.openNow = false;
    const c = call('CA400');
    const start = await desk.post('/twilio/voice', c);
    expect(spoken(start.doc)).toContain(PROMPTS.fr.afterHours);
    // Silence on the notice falls through its <Gather> to the beep: the <Record> comes after it.
    expect(find(start.doc, 'Gather')?.attrs).toMatchObject({ input: 'dtmf', numDigits: '1' });
    expect(find(start.doc, 'Redirect')).toBeUndefined();
    const rec = { RecordingSid: 'RE400', RecordingUrl: 'https://api.twilio.com/rec/RE400', RecordingDuration: '21' };
    const done = await desk.post(actionOf(start.doc, 'Record'), { ...c, ...rec });
    expect(desk.created[0]).toMatchObject({ origin: 'voicemail', recording: { sid: 'RE400', durationSeconds: 21 } });
    expect(spoken(done.doc).join(' ')).toContain('1, 0, 4, 2');

    // The recording status callback for the same message opens nothing more.
    await desk.post(attrOf(start.doc, 'Record', 'recordingStatusCallback'), { ...rec, CallSid: c.CallSid, RecordingStatus: 'completed' });
    expect(desk.created).toHaveLength(1);
    expect(desk.texts).toHaveLength(1);
  });
});

describe('the language after hours and of the outages', () => {
  it('offers English after hours too: 9 gives the notice, the voicemail and its transcript in English', async () => {
    desk.openNow = false;
    desk.outages = [{ title: 'messagerie' }];
    const c = call('CA410', '+33611111112');
    const start = await desk.post('/twilio/voice', c);
    const says = findAll(start.doc, 'Say');
    expect(says.map((x) => x.text)).toEqual(expect.arrayContaining([PROMPTS.fr.afterHours, PROMPTS.fr.outages(['messagerie'])]));
    expect(says.find((x) => x.text === PROMPTS.en.switchHint)?.attrs).toMatchObject({ voice: 'Polly.Joanna', language: 'en-US' });

    const english = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '9' });
    const heard = spoken(english.doc);
    expect(heard).toEqual(expect.arrayContaining([PROMPTS.en.outages(['messagerie']), PROMPTS.en.afterHours, PROMPTS.fr.switchHint]));
    expect(heard.indexOf(PROMPTS.en.outages(['messagerie']))).toBeLessThan(heard.indexOf(PROMPTS.en.afterHours));
    expect(find(english.doc, 'Record')?.attrs.transcribe).toBe('true');

    // Back to French is one more 9 away; any other key goes straight to the message.
    const french = await desk.post(actionOf(english.doc, 'Gather'), { ...c, Digits: '9' });
    expect(spoken(french.doc)).toContain(PROMPTS.fr.afterHours);
    const direct = await desk.post(actionOf(english.doc, 'Gather'), { ...c, Digits: '1' });
    expect(find(direct.doc, 'Gather')).toBeUndefined();
    expect(spoken(direct.doc)[0]).toBe(PROMPTS.en.voicemail);

    const rec = { RecordingSid: 'RE410', RecordingUrl: 'https://api.twilio.com/rec/RE410', RecordingDuration: '12' };
    await desk.post(actionOf(direct.doc, 'Record'), { ...c, ...rec });
    expect(desk.created[0]).toMatchObject({ origin: 'voicemail', lang: 'en' });
    await desk.post(attrOf(direct.doc, 'Record', 'transcribeCallback'), {
      ...c,
      ...rec,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'My badge no longer opens the door.',
    });
    expect(desk.tickets.get('1042')?.transcripts).toEqual(['My badge no longer opens the door.']);
    expect(desk.texts).toEqual([{ to: '+33611111112', ticketNumber: '1042', lang: 'en' }]);
  });

  it('announces the outages again in the language the caller switches to', async () => {
    desk.outages = [{ title: 'VPN' }, { title: 'Wi-Fi bâtiment B' }];
    const c = call('CA411');
    const start = await desk.post('/twilio/voice', c);
    expect(spoken(start.doc)).toContain(PROMPTS.fr.outages(['VPN', 'Wi-Fi bâtiment B']));
    const english = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '9' });
    const heard = spoken(english.doc);
    expect(heard).toContain(PROMPTS.en.outages(['VPN', 'Wi-Fi bâtiment B']));
    expect(heard.indexOf(PROMPTS.en.outages(['VPN', 'Wi-Fi bâtiment B']))).toBeLessThan(heard.indexOf(PROMPTS.en.menu));
    expect(english.needs.map((n) => n.kind)).toContain('lookup-outages');
  });

  it('promises a transcript of a voicemail exactly in the languages it asks Twilio to transcribe', async () => {
    for (const lang of ['fr', 'en'] as const) {
      const r = await desk.post(`/twilio/voice/step?stage=closed&attempts=0&lang=${lang}`, { ...call(`CA412${lang}`), Digits: '1' });
      const asks = find(r.doc, 'Record')?.attrs.transcribe === 'true';
      expect(asks, lang).toBe(TRANSCRIBED_LANGUAGES.includes(lang));
      expect(/transcri/i.test(VOICE_TICKET_TEXTS[lang].voicemail), lang).toBe(asks);
    }
  });
});

describe('no input, invalid input, silence', () => {
  it(`repeats the menu ${MAX_MENU_REPEATS} times on wrong keys, then takes a voicemail`, async () => {
    const c = call('CA500');
    let r = await desk.post('/twilio/voice', c);
    for (let i = 0; i < MAX_MENU_REPEATS; i += 1) {
      r = await desk.post(actionOf(r.doc, 'Gather'), { ...c, Digits: '7' });
      expect(spoken(r.doc)).toEqual(expect.arrayContaining([PROMPTS.fr.invalidChoice, PROMPTS.fr.menu]));
    }
    r = await desk.post(actionOf(r.doc, 'Gather'), { ...c, Digits: '*' });
    expect(find(r.doc, 'Gather')).toBeUndefined();
    expect(find(r.doc, 'Record')).toBeDefined();
  });

  it('opens nothing when the caller never says a word', async () => {
    const c = call('CA501');
    let r = await desk.post('/twilio/voice', c);
    // A silent <Gather> falls through to its <Redirect>, which posts without Digits.
    for (let i = 0; i <= MAX_MENU_REPEATS; i += 1) r = await desk.post(redirectOf(r.doc), c);
    expect(find(r.doc, 'Record')).toBeDefined();
    // An empty recording posts no action; its status callback reports zero seconds.
    await desk.post(attrOf(r.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      RecordingSid: 'RE501',
      RecordingUrl: 'https://api.twilio.com/rec/RE501',
      RecordingDuration: '0',
      RecordingStatus: 'completed',
    });
    await desk.post('/twilio/voice/status', { ...c, CallStatus: 'completed', CallDuration: '31' });
    expect(desk.created).toEqual([]);
    expect(desk.texts).toEqual([]);
    expect(desk.callStatuses).toEqual([{ callSid: 'CA501', status: 'completed' }]);
  });

  it('falls back to a recording when the description is silent, and opens nothing if that is silent too', async () => {
    const c = call('CA502');
    const start = await desk.post('/twilio/voice', c);
    const describe = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    const fallback = await desk.post(redirectOf(describe.doc), c);
    expect(spoken(fallback.doc)[0]).toBe(PROMPTS.fr.describeFallback);
    expect(find(fallback.doc, 'Record')).toBeDefined();
    const empty = await desk.post(actionOf(fallback.doc, 'Record'), { ...c, RecordingDuration: '0' });
    expect(find(empty.doc, 'Hangup')).toBeDefined();
    expect(desk.created).toEqual([]);
  });
});

describe('hang-ups', () => {
  it('opens the ticket from what was heard when the caller hangs up while describing', async () => {
    const c = call('CA600');
    const start = await desk.post('/twilio/voice', c);
    const describe = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    const partial = attrOf(describe.doc, 'Gather', 'partialResultCallback');
    await desk.post(partial, { CallSid: c.CallSid, StableSpeechResult: 'mon écran', UnstableSpeechResult: 'mon écran reste noir' });
    await desk.post('/twilio/voice/status', { ...c, CallStatus: 'completed', CallDuration: '40' });
    expect(desk.created).toHaveLength(1);
    expect(desk.created[0]).toMatchObject({ origin: 'hangup', description: 'mon écran reste noir', from: ALICE });
    expect(desk.texts).toEqual([{ to: ALICE, ticketNumber: '1042', lang: 'fr' }]);
  });

  it('does not open a second ticket at the end of a call that already has one', async () => {
    const c = call('CA601');
    const start = await desk.post('/twilio/voice', c);
    const describe = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    await desk.post(attrOf(describe.doc, 'Gather', 'partialResultCallback'), { CallSid: c.CallSid, UnstableSpeechResult: 'le VPN' });
    await desk.post(actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: 'le VPN ne se connecte plus' });
    await desk.post('/twilio/voice/status', { ...c, CallStatus: 'completed', CallDuration: '50' });
    expect(desk.created).toHaveLength(1);
    expect(desk.texts).toHaveLength(1);
  });

  it('opens the ticket from a voicemail cut short by a hang-up, texting the number kept from the start', async () => {
    desk.openNow = false;
    const c = call('CA602');
    const start = await desk.post('/twilio/voice', c);
    // No action request after the hang-up: only the recording status callback, which posts no From.
    await desk.post(attrOf(start.doc, 'Record', 'recordingStatusCallback'), {
      CallSid: c.CallSid,
      RecordingSid: 'RE602',
      RecordingUrl: 'https://api.twilio.com/rec/RE602',
      RecordingDuration: '6',
      RecordingStatus: 'completed',
    });
    expect(desk.created[0]).toMatchObject({ origin: 'voicemail', from: null, recording: { sid: 'RE602' } });
    expect(desk.tickets.get('1042')?.requesterPhone).toBe(ALICE);
    expect(desk.texts).toEqual([{ to: ALICE, ticketNumber: '1042', lang: 'fr' }]);
  });

  it('adds Twilio’s transcript of an English voicemail to its ticket', async () => {
    desk.openNow = false;
    desk.defaultLanguage = 'en';
    const c = call('CA603', '+447700900123');
    const start = await desk.post('/twilio/voice', c);
    expect(find(start.doc, 'Record')?.attrs.transcribe).toBe('true');
    const rec = { RecordingSid: 'RE603', RecordingUrl: 'https://api.twilio.com/rec/RE603', RecordingDuration: '9' };
    await desk.post(actionOf(start.doc, 'Record'), { ...c, ...rec });
    await desk.post(attrOf(start.doc, 'Record', 'transcribeCallback'), {
      ...c,
      ...rec,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'The printer on floor two is jammed.',
    });
    expect(desk.tickets.get('1042')?.transcripts).toEqual(['The printer on floor two is jammed.']);
  });

  it('does not ask Twilio to transcribe French voicemails, which it cannot', async () => {
    desk.openNow = false;
    const start = await desk.post('/twilio/voice', call('CA604'));
    expect(find(start.doc, 'Record')?.attrs.transcribe).toBeUndefined();
  });
});

describe('URLs and odd requests', () => {
  it('hands Twilio only relative URLs under /twilio/voice/, carrying no phone number', async () => {
    const c = call('CA700');
    const start = await desk.post('/twilio/voice', c);
    const menu = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    for (const url of [...urlsOf(start.doc), ...urlsOf(menu.doc)]) {
      expect(url).toMatch(/^\/twilio\/voice\/(step|recording|transcription|partial)\?/);
      expect(url).not.toMatch(/%2B|\+33/);
    }
    expect(voiceUrl('step', { ...INITIAL_STATE, stage: 'menu', lang: 'en' })).toBe('/twilio/voice/step?stage=menu&attempts=0&lang=en');
  });

  it('does not look up or text a withheld caller ID', async () => {
    const c = call('CA701', '+266696687');
    const start = await desk.post('/twilio/voice', c);
    expect(start.needs.map((n) => n.kind)).not.toContain('lookup-caller');
    const describe = await desk.post(actionOf(start.doc, 'Gather'), { ...c, Digits: '1' });
    await desk.post(actionOf(describe.doc, 'Gather'), { ...c, SpeechResult: 'Outlook plante' });
    expect(desk.created).toHaveLength(1);
    expect(desk.texts).toEqual([]);
  });

  it('answers a step with a mangled state by starting over', async () => {
    const r = await desk.post('/twilio/voice/step?stage=nonsense', call('CA702'));
    expect(spoken(r.doc)[0]).toBe(PROMPTS.fr.greetingByName('Alice Martin'));
  });

  it('asks for each missing fact once, then answers', () => {
    const input = { hook: 'start' as const, CallSid: 'CA703', From: ALICE };
    const first = step(INITIAL_STATE, input, { defaultLanguage: 'fr', openNow: true });
    expect(first).toEqual({ kind: 'need', need: { kind: 'lookup-caller' } });
    const second = step(INITIAL_STATE, input, { defaultLanguage: 'fr', openNow: true, caller: null });
    expect(second).toEqual({ kind: 'need', need: { kind: 'lookup-outages' } });
    const third = step(INITIAL_STATE, input, { defaultLanguage: 'fr', openNow: true, caller: null, outages: [] });
    expect(third.kind).toBe('answer');
  });
});

describe('texts', () => {
  it('reads numbers one digit at a time', () => {
    expect(spellDigits('1042')).toBe('1, 0, 4, 2');
    expect(PROMPTS.en.ticketNumber('1042')).toContain('1, 0, 4, 2');
  });

  it('makes a subject of the first words', () => {
    expect(subjectOf('  écran   noir ')).toBe('écran noir');
    const long = subjectOf('mot '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(72);
    expect(long.endsWith('…')).toBe(true);
  });
});

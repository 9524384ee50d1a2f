import twilio from 'twilio';
import type { Language } from '../../domain/values.js';
import { voiceUrl, type CallState } from './ivr-state.js';
import { PROMPTS, TRANSCRIBED_LANGUAGES, VOICES, otherLanguage } from './voice-prompts.js';

/**
 * The TwiML pieces of the voice menu, built with the SDK so that escaping and attribute spelling
 * follow Twilio's own schema. Each helper appends to a response; ivr.ts decides which ones to use.
 */
export type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;

/** Seconds the on-call phone rings before the caller is offered voicemail. */
export const DIAL_TIMEOUT_SECONDS = 20;
/** Twilio transcribes <Record> only between 2 and 120 s, so a longer message would lose its text. */
export const VOICEMAIL_MAX_SECONDS = 120;

export function newResponse(): VoiceResponse {
  return new twilio.twiml.VoiceResponse();
}

/** Twilio ignores the TwiML of status-type callbacks; an empty document is the polite answer. */
export function emptyTwiml(): string {
  return newResponse().toString();
}

type Gather = ReturnType<VoiceResponse['gather']>;

export function say(target: VoiceResponse | Gather, lang: Language, ...texts: string[]): void {
  for (const text of texts) target.say(VOICES[lang], text);
}

export function hangUp(r: VoiceResponse, lang: Language): void {
  say(r, lang, PROMPTS[lang].goodbye);
  r.hangup();
}

/**
 * The main menu. Digits go to the step URL; silence falls through to the <Redirect>, which posts to
 * the same URL without Digits, so "no input" and "wrong key" are both decided by the step function.
 */
export function menu(r: VoiceResponse, state: CallState & { lang: Language }, ...preamble: string[]): void {
  const url = voiceUrl('step', { ...state, stage: 'menu' });
  const gather = r.gather({ input: ['dtmf'], numDigits: 1, timeout: 6, action: url, method: 'POST' });
  say(gather, state.lang, ...preamble, PROMPTS[state.lang].menu);
  const other = otherLanguage(state.lang);
  say(gather, other, PROMPTS[other].switchHint);
  r.redirect({ method: 'POST' }, url);
}

/**
 * Free speech for "report a problem". Partial results post to the `partial` hook while the caller
 * speaks, so that a hang-up before the end still leaves a transcript behind to open the ticket with.
 */
export function describe(r: VoiceResponse, state: CallState & { lang: Language }): void {
  const next: CallState = { ...state, stage: 'describe' };
  const url = voiceUrl('step', next);
  const gather = r.gather({
    input: ['speech'],
    language: VOICES[state.lang].language,
    speechTimeout: 'auto',
    timeout: 6,
    action: url,
    method: 'POST',
    partialResultCallback: voiceUrl('partial', next),
    partialResultCallbackMethod: 'POST',
  });
  say(gather, state.lang, PROMPTS[state.lang].describe);
  r.redirect({ method: 'POST' }, url);
}

/**
 * After hours: the notice in the caller's language with the other language a key away, then the
 * voicemail. A <Gather> that hears nothing falls through to the next verb (Twilio's documented
 * behaviour without actionOnEmptyResult), so a silent caller goes on to the beep; a key posts to the
 * `closed` step, where 9 switches language and any other key goes straight to the message.
 */
export function afterHours(r: VoiceResponse, state: CallState & { lang: Language }, ...preamble: string[]): void {
  const url = voiceUrl('step', { ...state, stage: 'closed' });
  const gather = r.gather({ input: ['dtmf'], numDigits: 1, timeout: 3, action: url, method: 'POST' });
  say(gather, state.lang, ...preamble, PROMPTS[state.lang].afterHours);
  const other = otherLanguage(state.lang);
  say(gather, other, PROMPTS[other].switchHint);
  voicemail(r, state, PROMPTS[state.lang].voicemail);
}

/** Keyed ticket number, ended by #. */
export function askTicketNumber(r: VoiceResponse, state: CallState & { lang: Language }): void {
  const url = voiceUrl('step', { ...state, stage: 'check' });
  const gather = r.gather({ input: ['dtmf'], finishOnKey: '#', timeout: 8, action: url, method: 'POST' });
  say(gather, state.lang, PROMPTS[state.lang].checkPrompt);
  r.redirect({ method: 'POST' }, url);
}

/**
 * A voicemail. The action posts when the caller presses # or falls silent; recordingStatusCallback
 * posts once the audio is stored, which also happens when the caller hangs up mid-message (the case
 * where no action request can be relied on). Both reach the same decision in the step function and the
 * edge opens at most one ticket per CallSid. An empty recording posts no action: Twilio moves on to the
 * goodbye below, and nothing is opened.
 */
export function voicemail(r: VoiceResponse, state: CallState & { lang: Language }, ...preamble: string[]): void {
  say(r, state.lang, ...preamble);
  record(r, { ...state, stage: 'voicemail' });
}

/**
 * Option 4: the caller says what they need (an access, an account, equipment) after the beep; the
 * recording opens a service request, by the same two requests as a voicemail (stage `request`).
 */
export function recordRequest(r: VoiceResponse, state: CallState & { lang: Language }): void {
  say(r, state.lang, PROMPTS[state.lang].request);
  record(r, { ...state, stage: 'request' });
}

/** The <Record> of a voicemail or a request, and the goodbye Twilio moves on to after it. */
function record(r: VoiceResponse, next: CallState & { lang: Language }): void {
  r.record({
    action: voiceUrl('step', next),
    method: 'POST',
    maxLength: VOICEMAIL_MAX_SECONDS,
    timeout: 5,
    finishOnKey: '#',
    playBeep: true,
    trim: 'trim-silence',
    recordingStatusCallback: voiceUrl('recording', next),
    recordingStatusCallbackMethod: 'POST',
    // Twilio's <Record> transcription understands English only (TRANSCRIBED_LANGUAGES); a message in
    // another language keeps its audio alone, and its ticket promises no transcript.
    ...(TRANSCRIBED_LANGUAGES.includes(next.lang) ? { transcribe: true, transcribeCallback: voiceUrl('transcription', next) } : {}),
  });
  hangUp(r, next.lang);
}

/** Rings the on-call phone; the action URL learns the outcome from DialCallStatus. */
export function dialOnCall(r: VoiceResponse, state: CallState & { lang: Language }, phone: string): void {
  const dial = r.dial({
    action: voiceUrl('step', { ...state, stage: 'dial' }),
    method: 'POST',
    timeout: DIAL_TIMEOUT_SECONDS,
  });
  dial.number(phone);
}

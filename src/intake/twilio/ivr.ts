/**
 * The voice menu as a pure step function: (call state, what Twilio posted, facts) → TwiML + effects.
 *
 * Protocol for the route layer (the "edge"):
 *  0. Routes, all behind the signature check: POST /twilio/voice (hook `start`), POST /twilio/voice/status
 *     (`call-status`, the number's status callback), POST /twilio/voice/:hook for the VOICE_HOOKS that
 *     the menu's own URLs name (`step`, `recording`, `transcription`, `partial`); `parseVoiceHook`.
 *  1. Decode the state from the query (`decodeState(req.query)`), build the input from the path and the
 *     form (`callInput(parseVoiceHook(segment), req.body)`), and start the facts with the cheap ones:
 *     `{ defaultLanguage, openNow }` (business hours against the clock).
 *  2. Call `step(state, input, facts)`. It answers either
 *       - `{ kind: 'need', need }`: a fact is missing. Fulfil it (see `Need`), put the result into the
 *         facts (a loaded-but-absent fact is `null`, never `undefined`) and call `step` again with the same
 *         state and input; or
 *       - `{ kind: 'answer', twiml, effects }`: send `twiml` as text/xml, and carry out `effects`
 *         (after answering is fine; each effect is idempotent on its own key, see `Effect`).
 *     `runStep` does this loop given a `fulfil` function. A step never asks for the same fact twice, and
 *     it asks for `create-ticket` at most once: the edge creates, or finds by CallSid, and returns
 *     `created: { number, isNew }`; `isNew: false` (a retried webhook) reads the number back but sends
 *     no second text.
 *  3. Nothing else: the step decides every prompt, URL and transition, and does no I/O itself.
 */
import type { Language } from '../../domain/values.js';
import { onCallStatus, onPartial, onTranscription, recordingOf, textNumber, voiceTicket } from './ivr-callbacks.js';
import {
  answer,
  isReachablePhone,
  need,
  type Answer,
  type CallFacts,
  type CreatedTicket,
  type Effect,
  type Need,
  type Step,
} from './ivr-protocol.js';
import { INITIAL_STATE, type CallInput, type CallState } from './ivr-state.js';
import * as T from './ivr-twiml.js';
import { PROMPTS, SWITCH_LANGUAGE_KEY, VOICE_TICKET_TEXTS, otherLanguage } from './voice-prompts.js';

export type * from './ivr-protocol.js';
export { isReachablePhone };
export { VOICE_HOOKS, callInput, decodeState, type CallHook, type CallInput, type CallState } from './ivr-state.js';
export { subjectOf } from './ivr-callbacks.js';

/** No input or a wrong key replays the menu this many times; one more goes to voicemail. */
export const MAX_MENU_REPEATS = 2;

type Spoken = CallState & { lang: Language };

export function step(state: CallState, input: CallInput, facts: CallFacts): Step {
  switch (input.hook) {
    case 'start':
      return start(input, facts);
    case 'step':
      return onAction(state, input, facts);
    case 'recording':
      // Only a stored recording counts; `absent` or `failed` means there is nothing to listen to.
      if (input.RecordingStatus !== 'completed') return answer(T.emptyTwiml());
      return onRecording(spoken(state, facts), input, facts, false);
    case 'transcription':
      return onTranscription(input);
    case 'partial':
      return onPartial(spoken(state, facts).lang, input);
    case 'call-status':
      return onCallStatus(input, facts);
  }
}

/** Runs `step` to its answer, asking `fulfil` for each missing fact. */
export async function runStep(
  state: CallState,
  input: CallInput,
  facts: CallFacts,
  fulfil: (need: Need, facts: CallFacts) => Promise<CallFacts>,
): Promise<Answer> {
  let current = facts;
  for (let round = 0; round < 8; round += 1) {
    const result = step(state, input, current);
    if (result.kind === 'answer') return result;
    current = await fulfil(result.need, current);
  }
  throw new Error(`voice step did not settle (hook ${input.hook}, stage ${state.stage})`);
}

function spoken(state: CallState, facts: CallFacts): Spoken {
  return { ...state, lang: state.lang ?? facts.caller?.language ?? facts.defaultLanguage };
}

function start(input: CallInput, facts: CallFacts): Step {
  if (facts.caller === undefined) {
    if (!isReachablePhone(input.From)) return start(input, { ...facts, caller: null });
    return need({ kind: 'lookup-caller' });
  }
  if (facts.outages === undefined) return need({ kind: 'lookup-outages' });
  const s = spoken({ ...INITIAL_STATE, stage: 'menu' }, facts);
  const p = PROMPTS[s.lang];
  const r = T.newResponse();
  T.say(r, s.lang, facts.caller ? p.greetingByName(facts.caller.name) : p.greeting, ...outageNotice(s.lang, facts.outages));
  if (facts.openNow) T.menu(r, s);
  else T.afterHours(r, s);
  return answer(r, [{ kind: 'remember-call', callSid: input.CallSid, from: input.From ?? null, lang: s.lang }]);
}

/**
 * The ongoing outages, framed in `lang`. Said at the start in the language the call starts in, and
 * again whenever the caller switches language, so that each caller hears them in the language they
 * chose: each title in that language when the coordinator gave one (`translations`), else as written.
 */
export function outageNotice(lang: Language, outages: CallFacts['outages']): string[] {
  return outages && outages.length > 0 ? [PROMPTS[lang].outages(outages.map((o) => o.titleIn?.[lang] ?? o.title))] : [];
}

/** The caller pressed the language key: the outages again, in the new language, before `next`. */
function switchLanguage(s: Spoken, facts: CallFacts, next: (r: T.VoiceResponse, s: Spoken, ...preamble: string[]) => void): Step {
  if (facts.outages === undefined) return need({ kind: 'lookup-outages' });
  const switched: Spoken = { ...s, lang: otherLanguage(s.lang), attempts: 0 };
  const r = T.newResponse();
  next(r, switched, ...outageNotice(switched.lang, facts.outages));
  return answer(r);
}

/** A key on the after-hours notice: 9 the other language, anything else straight to the message. */
function onClosed(s: Spoken, input: CallInput, facts: CallFacts): Step {
  const key = (input.Digits ?? '').trim().charAt(0);
  if (key === SWITCH_LANGUAGE_KEY) return switchLanguage(s, facts, T.afterHours);
  const r = T.newResponse();
  T.voicemail(r, s, PROMPTS[s.lang].voicemail);
  return answer(r);
}

function onAction(state: CallState, input: CallInput, facts: CallFacts): Step {
  const s = spoken(state, facts);
  switch (state.stage) {
    case 'start':
      return start(input, facts);
    case 'menu':
      return onMenu(s, input, facts);
    case 'describe':
      return onDescribe(s, input, facts);
    case 'check':
      return onCheck(s, input, facts);
    case 'dial':
      return onDial(s, input);
    case 'voicemail':
      return onRecording(s, input, facts, true);
    case 'closed':
      return onClosed(s, input, facts);
    case 'request':
      return onRecording(s, input, facts, true);
  }
}

function onMenu(s: Spoken, input: CallInput, facts: CallFacts): Step {
  const key = (input.Digits ?? '').trim().charAt(0);
  const r = T.newResponse();
  switch (key) {
    case '1':
      T.describe(r, s);
      return answer(r);
    case '2':
      T.askTicketNumber(r, s);
      return answer(r);
    case '3':
      return urgent(s, input, facts);
    case '4':
      T.recordRequest(r, s);
      return answer(r);
    case SWITCH_LANGUAGE_KEY:
      return switchLanguage(s, facts, T.menu);
    default:
      return retryMenu(s, key === '' ? PROMPTS[s.lang].noInput : PROMPTS[s.lang].invalidChoice);
  }
}

function retryMenu(s: Spoken, why: string): Step {
  const r = T.newResponse();
  const attempts = s.attempts + 1;
  if (attempts > MAX_MENU_REPEATS) T.voicemail(r, { ...s, attempts }, why, PROMPTS[s.lang].voicemail);
  else T.menu(r, { ...s, attempts }, why);
  return answer(r);
}

function onDescribe(s: Spoken, input: CallInput, facts: CallFacts): Step {
  const text = (input.SpeechResult ?? '').trim();
  if (text === '') {
    const r = T.newResponse();
    T.voicemail(r, s, PROMPTS[s.lang].describeFallback);
    return answer(r);
  }
  if (facts.created === undefined) {
    return need({ kind: 'create-ticket', ticket: voiceTicket(input, s.lang, 'describe', { description: text }) });
  }
  return readBack(s, input, facts.created);
}

function onCheck(s: Spoken, input: CallInput, facts: CallFacts): Step {
  const number = (input.Digits ?? '').replace(/\D/g, '');
  if (number === '') return retryMenu(s, PROMPTS[s.lang].noInput);
  if (facts.ticket === undefined) return need({ kind: 'lookup-ticket', number });
  const p = PROMPTS[s.lang];
  const r = T.newResponse();
  const t = facts.ticket;
  if (t === null) T.say(r, s.lang, p.notFound(number));
  else {
    T.say(r, s.lang, p.status(t.number, t.status));
    if (!t.ownedByCaller) T.say(r, s.lang, p.notYours);
    else if (t.assigneeName) T.say(r, s.lang, p.technician(t.assigneeName));
  }
  T.menu(r, { ...s, attempts: 0 });
  return answer(r);
}

function urgent(s: Spoken, input: CallInput, facts: CallFacts): Step {
  const texts = VOICE_TICKET_TEXTS[s.lang];
  if (facts.created === undefined) {
    const ticket = voiceTicket(input, s.lang, 'urgent', { description: texts.urgent, subject: texts.urgentSubject });
    return need({ kind: 'create-ticket', ticket: { ...ticket, urgency: 'high' } });
  }
  if (facts.onCallPhone === undefined) return need({ kind: 'lookup-on-call' });
  const p = PROMPTS[s.lang];
  const next: Spoken = { ...s, ticket: facts.created.number };
  const r = T.newResponse();
  T.say(r, s.lang, p.urgent, p.ticketNumber(facts.created.number));
  if (facts.onCallPhone) {
    T.say(r, s.lang, p.connecting);
    T.dialOnCall(r, next, facts.onCallPhone);
  } else {
    T.voicemail(r, next, p.noOnCall, p.voicemail);
  }
  return answer(r, textNumber(input, s.lang, facts.created));
}

function onDial(s: Spoken, input: CallInput): Step {
  const r = T.newResponse();
  if (input.DialCallStatus === 'completed' || input.DialCallStatus === 'answered') T.hangUp(r, s.lang);
  else T.voicemail(r, s, PROMPTS[s.lang].onCallUnavailable, PROMPTS[s.lang].voicemail);
  return answer(r);
}

/**
 * A voicemail arrived, by the <Record> action (`speak`) or by its status callback (nobody listening).
 * Recorded after option 4 (stage `request`), it opens a service request rather than an incident.
 */
function onRecording(s: Spoken, input: CallInput, facts: CallFacts, speak: boolean): Step {
  const recording = recordingOf(input);
  const silent = (effects: Effect[] = []): Answer => answer(T.emptyTwiml(), effects);
  if (recording === null) {
    if (!speak) return silent();
    const r = T.newResponse();
    T.hangUp(r, s.lang);
    return answer(r);
  }
  if (s.ticket !== null) {
    const effects: Effect[] = [{ kind: 'attach-recording', callSid: input.CallSid, ticketNumber: s.ticket, recording }];
    if (!speak) return silent(effects);
    const r = T.newResponse();
    T.say(r, s.lang, PROMPTS[s.lang].messageSaved(s.ticket));
    T.hangUp(r, s.lang);
    return answer(r, effects);
  }
  if (facts.created === undefined) {
    const texts = VOICE_TICKET_TEXTS[s.lang];
    const ticket =
      s.stage === 'request'
        ? voiceTicket(input, s.lang, 'request', { description: texts.request, subject: texts.requestSubject })
        : voiceTicket(input, s.lang, 'voicemail', { description: texts.voicemail, subject: texts.voicemailSubject });
    return need({ kind: 'create-ticket', ticket: { ...ticket, recording } });
  }
  return speak ? readBack(s, input, facts.created) : silent(textNumber(input, s.lang, facts.created));
}

function readBack(s: Spoken, input: CallInput, created: CreatedTicket): Step {
  const p = PROMPTS[s.lang];
  const r = T.newResponse();
  T.say(r, s.lang, p.ticketNumber(created.number));
  if (created.isNew && isReachablePhone(input.From)) T.say(r, s.lang, p.numberTexted);
  T.hangUp(r, s.lang);
  return answer(r, textNumber(input, s.lang, created));
}

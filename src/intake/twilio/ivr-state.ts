import { LANGUAGES, type Language } from '../../domain/values.js';

/**
 * What a voice webhook answers. The call's progress travels in the query string of the URLs we hand
 * to Twilio (signed by Twilio along with the rest of the URL), so any process can serve any step and
 * no session store is needed. Phone numbers never go into these URLs: URLs end up in access logs.
 */
export const STAGES = ['start', 'menu', 'describe', 'check', 'dial', 'voicemail', 'closed', 'request'] as const;
/**
 * The question the caller is answering: `menu` a key press, `describe` speech, `check` a ticket number,
 * `dial` the outcome of ringing the on-call phone, `voicemail` a recording, `closed` a key press on the
 * after-hours notice (the other language, or straight to the message), `request` a recording of
 * something the caller asks for (a service request, #17).
 */
export type Stage = (typeof STAGES)[number];

export interface CallState {
  stage: Stage;
  /** null only before the first answer, when the caller's language is not known yet. */
  lang: Language | null;
  /** Unanswered or invalid menu rounds so far. */
  attempts: number;
  /** The ticket already opened during this call (urgent option), so a later voicemail joins it. */
  ticket: string | null;
}

export const INITIAL_STATE: CallState = Object.freeze({ stage: 'start', lang: null, attempts: 0, ticket: null });

/**
 * Which Twilio request this is, from the path it arrived on:
 * - `start`: POST /twilio/voice, the call comes in;
 * - `step`: a <Gather>, <Record> or <Dial> action, or a <Redirect> after a silent <Gather>;
 * - `recording`: a <Record> recordingStatusCallback (also sent when the caller hangs up mid-message);
 * - `transcription`: a <Record> transcribeCallback;
 * - `partial`: a speech <Gather> partialResultCallback (what was said so far);
 * - `call-status`: POST /twilio/voice/status, the number's call status callback.
 */
export const VOICE_HOOKS = ['step', 'recording', 'transcription', 'partial'] as const;
export type VoiceHook = (typeof VOICE_HOOKS)[number];
export type CallHook = 'start' | VoiceHook | 'call-status';

export const VOICE_BASE_PATH = '/twilio/voice';

/** Every URL the menu gives Twilio is built here: a relative path, resolved by Twilio against PUBLIC_URL. */
export function voiceUrl(hook: VoiceHook, state: CallState): string {
  return `${VOICE_BASE_PATH}/${hook}?${encodeState(state)}`;
}

/** The hook named by the last path segment under /twilio/voice (undefined: the entry point). */
export function parseVoiceHook(segment: string | undefined): CallHook | null {
  if (segment === undefined || segment === '') return 'start';
  if (segment === 'status') return 'call-status';
  return (VOICE_HOOKS as readonly string[]).includes(segment) ? (segment as VoiceHook) : null;
}

export function encodeState(state: CallState): string {
  const query = new URLSearchParams({ stage: state.stage, attempts: String(state.attempts) });
  if (state.lang) query.set('lang', state.lang);
  if (state.ticket) query.set('ticket', state.ticket);
  return query.toString();
}

/**
 * Reads the state back from a parsed query (express `req.query`) or URLSearchParams. Anything
 * unrecognised falls back to the start of a call rather than failing: a caller hears the menu again.
 */
export function decodeState(query: URLSearchParams | Readonly<Record<string, unknown>> | undefined): CallState {
  const get = (key: string): string | undefined => {
    if (query === undefined) return undefined;
    const value = query instanceof URLSearchParams ? query.get(key) : query[key];
    return typeof value === 'string' ? value : undefined;
  };
  const stage = get('stage');
  if (stage === undefined || !(STAGES as readonly string[]).includes(stage)) return { ...INITIAL_STATE };
  const lang = get('lang');
  const attempts = Number(get('attempts') ?? 0);
  const ticket = get('ticket');
  return {
    stage: stage as Stage,
    lang: lang !== undefined && (LANGUAGES as readonly string[]).includes(lang) ? (lang as Language) : null,
    attempts: Number.isInteger(attempts) && attempts >= 0 && attempts < 100 ? attempts : 0,
    ticket: ticket !== undefined && /^\d{1,18}$/.test(ticket) ? ticket : null,
  };
}

/** The parameters of a Twilio voice request that the menu reads; all optional except the call's id. */
export interface CallInput {
  hook: CallHook;
  CallSid: string;
  From?: string;
  CallStatus?: string;
  CallDuration?: string;
  Digits?: string;
  SpeechResult?: string;
  UnstableSpeechResult?: string;
  StableSpeechResult?: string;
  RecordingUrl?: string;
  RecordingSid?: string;
  RecordingDuration?: string;
  RecordingStatus?: string;
  TranscriptionText?: string;
  TranscriptionStatus?: string;
  DialCallStatus?: string;
}

const INPUT_FIELDS = [
  'From',
  'CallStatus',
  'CallDuration',
  'Digits',
  'SpeechResult',
  'UnstableSpeechResult',
  'StableSpeechResult',
  'RecordingUrl',
  'RecordingSid',
  'RecordingDuration',
  'RecordingStatus',
  'TranscriptionText',
  'TranscriptionStatus',
  'DialCallStatus',
] as const satisfies readonly (keyof CallInput)[];

/** Picks the fields the menu uses out of a parsed form body; repeated or non-string values are dropped. */
export function callInput(hook: CallHook, body: Readonly<Record<string, unknown>>): CallInput {
  const input: CallInput = { hook, CallSid: typeof body.CallSid === 'string' ? body.CallSid : '' };
  for (const field of INPUT_FIELDS) {
    const value = body[field];
    if (typeof value === 'string') input[field] = value;
  }
  return input;
}

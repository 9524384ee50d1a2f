import type { Redis } from 'ioredis';
import { LANGUAGES, type Language } from '../../domain/values.js';

/**
 * What the voice menu keeps between the requests of one call, in Redis so that any web process can
 * serve any request. Twilio's later callbacks (a recording's status, partial speech) do not post the
 * caller's number, so `remember-call` keeps it; `remember-speech` keeps the words heard so far, for a
 * caller who hangs up mid-sentence. Both expire: a call lasts at most four hours on Twilio.
 */
export const CALL_MEMORY_TTL_SECONDS = 6 * 60 * 60;

export interface RememberedCall {
  from: string | null;
  lang: Language;
}

export interface RememberedSpeech {
  text: string;
  lang: Language;
}

export interface CallMemory {
  rememberCall(callSid: string, call: RememberedCall): Promise<void>;
  call(callSid: string): Promise<RememberedCall | null>;
  rememberSpeech(callSid: string, speech: RememberedSpeech): Promise<void>;
  speech(callSid: string): Promise<RememberedSpeech | null>;
  forgetSpeech(callSid: string): Promise<void>;
}

/** `prefix` keeps one desk's keys apart from another's on a shared server (and each test's). */
export function createCallMemory(redis: Redis, prefix: string, ttlSeconds = CALL_MEMORY_TTL_SECONDS): CallMemory {
  const callKey = (sid: string) => `${prefix}:call:${sid}`;
  const speechKey = (sid: string) => `${prefix}:speech:${sid}`;
  const read = async (key: string): Promise<Record<string, unknown> | null> => {
    const raw = await redis.get(key);
    if (raw === null) return null;
    try {
      const value: unknown = JSON.parse(raw);
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const language = (value: unknown): Language | null => ((LANGUAGES as readonly unknown[]).includes(value) ? (value as Language) : null);

  return {
    async rememberCall(callSid, call) {
      await redis.set(callKey(callSid), JSON.stringify(call), 'EX', ttlSeconds);
    },
    async call(callSid) {
      const value = await read(callKey(callSid));
      const lang = language(value?.lang);
      if (!value || !lang) return null;
      return { from: typeof value.from === 'string' ? value.from : null, lang };
    },
    async rememberSpeech(callSid, speech) {
      await redis.set(speechKey(callSid), JSON.stringify(speech), 'EX', ttlSeconds);
    },
    async speech(callSid) {
      const value = await read(speechKey(callSid));
      const lang = language(value?.lang);
      if (!value || !lang || typeof value.text !== 'string') return null;
      return { text: value.text, lang };
    },
    async forgetSpeech(callSid) {
      await redis.del(speechKey(callSid));
    },
  };
}

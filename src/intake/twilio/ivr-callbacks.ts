import type { Language } from '../../domain/values.js';
import type { CallInput } from './ivr-state.js';
import {
  answer,
  isReachablePhone,
  need,
  type CallFacts,
  type CreatedTicket,
  type Effect,
  type NewVoiceTicket,
  type RecordingRef,
  type Step,
} from './ivr-protocol.js';
import { emptyTwiml } from './ivr-twiml.js';

/**
 * The requests Twilio makes beside the conversation (transcripts, partial speech, the end of the
 * call) and the ticket-shaping helpers the conversation shares with them. None of these speak: Twilio
 * ignores the TwiML of a callback, so they answer an empty document.
 */

export function onTranscription(input: CallInput): Step {
  const text = (input.TranscriptionText ?? '').trim();
  const effects: Effect[] =
    input.TranscriptionStatus === 'completed' && text !== '' && input.RecordingSid
      ? [{ kind: 'add-transcript', callSid: input.CallSid, recordingSid: input.RecordingSid, text }]
      : [];
  return answer(emptyTwiml(), effects);
}

/** Partial results carry the stable start of the sentence and the still-changing whole; keep the longer. */
export function onPartial(lang: Language, input: CallInput): Step {
  const stable = (input.StableSpeechResult ?? '').trim();
  const unstable = (input.UnstableSpeechResult ?? '').trim();
  const text = unstable.length > stable.length ? unstable : stable;
  const effects: Effect[] = text === '' ? [] : [{ kind: 'remember-speech', callSid: input.CallSid, text, lang }];
  return answer(emptyTwiml(), effects);
}

/**
 * The end of the call. When the caller hung up while describing the problem, the words recognised so
 * far open the ticket that the <Gather> action never got to open.
 */
export function onCallStatus(input: CallInput, facts: CallFacts): Step {
  const duration = Number(input.CallDuration);
  const effects: Effect[] = [
    {
      kind: 'record-call-status',
      callSid: input.CallSid,
      status: input.CallStatus ?? 'unknown',
      durationSeconds: input.CallDuration !== undefined && Number.isFinite(duration) ? duration : null,
    },
  ];
  if (input.CallStatus !== 'completed') return answer(emptyTwiml(), effects);
  if (facts.pendingSpeech === undefined) return need({ kind: 'lookup-pending-speech', callSid: input.CallSid });
  const pending = facts.pendingSpeech;
  if (pending === null || pending.text.trim() === '') return answer(emptyTwiml(), effects);
  if (facts.created === undefined) {
    const ticket = voiceTicket(input, pending.lang, 'hangup', { description: pending.text.trim() });
    return need({ kind: 'create-ticket', ticket });
  }
  return answer(emptyTwiml(), [...effects, ...textNumber(input, pending.lang, facts.created)]);
}

/** The number goes by SMS once, when the ticket is new, and never to a withheld or foreign-format ID. */
export function textNumber(input: CallInput, lang: Language, created: CreatedTicket): Effect[] {
  if (!created.isNew) return [];
  if (input.From !== undefined && !isReachablePhone(input.From)) return [];
  return [{ kind: 'text-number', callSid: input.CallSid, to: input.From ?? null, ticketNumber: created.number, lang }];
}

export function voiceTicket(
  input: CallInput,
  lang: Language,
  origin: NewVoiceTicket['origin'],
  text: { description: string; subject?: string },
): NewVoiceTicket {
  return {
    callSid: input.CallSid,
    from: input.From ?? null,
    lang,
    origin,
    subject: text.subject ?? subjectOf(text.description),
    description: text.description,
    urgency: 'medium',
    recording: null,
  };
}

/** The first words of what was said, cut at a word boundary. */
export function subjectOf(text: string, max = 72): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

export function recordingOf(input: CallInput): RecordingRef | null {
  if (!input.RecordingUrl || !input.RecordingSid) return null;
  const duration = input.RecordingDuration === undefined ? null : Number(input.RecordingDuration);
  // Twilio reports a message of pure silence (trimmed away) as zero seconds: nothing was said.
  if (duration !== null && !(duration > 0)) return null;
  return { sid: input.RecordingSid, url: input.RecordingUrl, durationSeconds: duration };
}

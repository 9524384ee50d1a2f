import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import { applyChange } from '../../tickets/apply-change.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { withLockedTicket } from '../ticket-transaction.js';
import type { CallMemory } from './call-memory.js';
import { isReachablePhone, subjectOf, type Effect, type RecordingRef } from './ivr.js';
import { ticketNumberSms } from './requester-sms.js';
import { VOICE_TICKET_TEXTS } from './voice-prompts.js';

/**
 * The effects the voice menu leaves to the edge (see ivr-protocol.ts `Effect`), carried out against the
 * store and the call memory. Each is keyed so that a retried webhook repeats nothing: the outbox row
 * by its idempotency key, a recording by its URL on the ticket, a transcript or a call status by the
 * event it already left, all checked under the ticket's lock.
 */
export interface VoiceEffectDeps {
  store: Store;
  tickets: TicketDeps;
  memory: CallMemory;
  log: Logger;
}

/** Twilio serves a recording's URL as WAV unless asked for another format. */
const RECORDING_TYPE = 'audio/x-wav';
const TWILIO_ACTOR = 'system:twilio';

export function createVoiceEffects(deps: VoiceEffectDeps) {
  const { store, memory } = deps;
  const ticketOfCall = async (callSid: string) => (await store.messages.ticketIdOf('voice', callSid)) ?? null;

  async function apply(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'remember-call':
        return memory.rememberCall(effect.callSid, { from: effect.from, lang: effect.lang });
      case 'remember-speech':
        return memory.rememberSpeech(effect.callSid, { text: effect.text, lang: effect.lang });
      case 'text-number': {
        const to = effect.to ?? (await memory.call(effect.callSid))?.from ?? null;
        if (!isReachablePhone(to)) return;
        const ticketId = await store.tickets.idByKey(effect.ticketNumber);
        // The acknowledgement owed to a new ticket already texts its number (and any outage) to the
        // caller ID; a second text would repeat it. Only a caller the desk could not reach that way
        // (no caller ID on the ticket, a remembered number) gets this one.
        const acknowledged = ticketId
          ? (await store.outbox.forTicket(ticketId)).some((row) => row.kind === 'requester.created' && row.recipient === to)
          : false;
        if (acknowledged) return;
        await store.outbox.add([
          {
            idempotencyKey: `voice:${effect.callSid}:ticket-number:${effect.ticketNumber}`,
            ticketId,
            kind: 'sms.text',
            channel: 'sms',
            recipient: to,
            language: effect.lang,
            payload: { text: ticketNumberSms(effect.lang, effect.ticketNumber) },
          },
        ]);
        return;
      }
      case 'attach-recording': {
        const ticketId = (await ticketOfCall(effect.callSid)) ?? (await store.tickets.idByKey(effect.ticketNumber));
        if (ticketId) await linkRecording(deps.tickets, ticketId, effect.recording);
        return;
      }
      case 'add-transcript': {
        const ticketId = await ticketOfCall(effect.callSid);
        if (ticketId) await addTranscript(deps.tickets, ticketId, effect.recordingSid, effect.text);
        else deps.log.warn({ callSid: effect.callSid }, 'transcript for a call without a ticket: dropped');
        return;
      }
      case 'record-call-status': {
        const ticketId = await ticketOfCall(effect.callSid);
        if (ticketId) await recordCallStatus(deps.tickets, ticketId, effect);
        return;
      }
    }
  }

  return {
    /** Carries out every effect; one failing is logged and does not keep the caller from the answer. */
    async applyAll(effects: readonly Effect[]): Promise<void> {
      for (const effect of effects) {
        try {
          await apply(effect);
        } catch (err) {
          deps.log.error({ err, effect: effect.kind, callSid: effect.callSid }, 'voice effect failed');
        }
      }
    },
  };
}

/** A voicemail's recording onto its ticket: an attachment row and a `recording_attached` event, once. */
export async function linkRecording(deps: TicketDeps, ticketId: string, recording: RecordingRef): Promise<void> {
  await withLockedTicket(deps, ticketId, async ({ tx, deps: bound }) => {
    const added = await tx.attachmentLinks.addNew({ ticketId, messageId: null }, [
      { url: recording.url, contentType: RECORDING_TYPE, filename: `${recording.sid}.wav` },
    ]);
    if (added === 0) return;
    await applyChange(bound, ticketId, TWILIO_ACTOR, () => ({
      changes: {},
      events: [
        {
          type: 'recording_attached',
          data: { recordingSid: recording.sid, url: recording.url, durationSeconds: recording.durationSeconds },
        },
      ],
    }));
  });
}

const PLACEHOLDER_DESCRIPTIONS = new Set(Object.values(VOICE_TICKET_TEXTS).flatMap((t) => [t.voicemail, t.request]));
const PLACEHOLDER_SUBJECTS = new Set(Object.values(VOICE_TICKET_TEXTS).flatMap((t) => [t.voicemailSubject, t.requestSubject]));

/**
 * Twilio's transcript of a voicemail. It becomes the ticket's description (and subject) when those
 * are still the "transcript follows" placeholders; otherwise it stays in the event for the technician.
 */
async function addTranscript(deps: TicketDeps, ticketId: string, recordingSid: string, text: string): Promise<void> {
  await withLockedTicket(deps, ticketId, async ({ tx, deps: bound }) => {
    if (await tx.history.has(ticketId, 'transcript_added', { recordingSid })) return;
    const current = await tx.tickets.get(ticketId);
    const replaces = current !== null && PLACEHOLDER_DESCRIPTIONS.has(current.description);
    await applyChange(bound, ticketId, TWILIO_ACTOR, (ticket) => ({
      // The lifecycle never rewrites what a requester said; filling in a placeholder we wrote
      // ourselves is intake's business, recorded by the event below.
      changes: replaces ? { description: text, ...(PLACEHOLDER_SUBJECTS.has(ticket.subject) ? { subject: subjectOf(text) } : {}) } : {},
      events: [{ type: 'transcript_added', data: { recordingSid, text, replacedPlaceholder: replaces } }],
    }));
  });
}

/** The end of a call (duration, outcome) in its ticket's history, once per status. */
async function recordCallStatus(
  deps: TicketDeps,
  ticketId: string,
  effect: Extract<Effect, { kind: 'record-call-status' }>,
): Promise<void> {
  await withLockedTicket(deps, ticketId, async ({ tx, deps: bound }) => {
    const key = { callSid: effect.callSid, status: effect.status };
    if (await tx.history.has(ticketId, 'call_status', key)) return;
    await applyChange(bound, ticketId, TWILIO_ACTOR, () => ({
      changes: {},
      events: [{ type: 'call_status', data: { ...key, durationSeconds: effect.durationSeconds } }],
    }));
  });
}

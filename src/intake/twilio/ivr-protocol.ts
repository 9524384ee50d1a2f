import type { Language, Level, TicketStatus } from '../../domain/values.js';

/**
 * The vocabulary between the pure voice menu (ivr.ts) and the route layer that runs it: the facts the
 * menu reads, the data it asks for, and the effects it leaves to the edge. See ivr.ts for the protocol.
 */

export interface KnownCaller {
  name: string;
  language: Language | null;
}

export interface TicketFact {
  number: string;
  status: TicketStatus;
  assigneeName: string | null;
  /** The ticket's requester is the caller (matched by the edge on the calling number). */
  ownedByCaller: boolean;
}

export interface CreatedTicket {
  number: string;
  /** false when the CallSid had already opened it (a retried webhook, or a second callback). */
  isNew: boolean;
}

/** An ongoing outage as a caller hears of it. */
export interface AnnouncedOutage {
  /** As the coordinator wrote it, in whatever language. */
  title: string;
  /** The title in other languages, where the coordinator gave one (POST /api/outages `translations`). */
  titleIn?: Partial<Record<Language, string>>;
}

/** `undefined`: not loaded yet; `null`: loaded, there is none. */
export interface CallFacts {
  defaultLanguage: Language;
  /** Inside business hours at the time of the call. */
  openNow: boolean;
  caller?: KnownCaller | null;
  outages?: readonly AnnouncedOutage[];
  ticket?: TicketFact | null;
  onCallPhone?: string | null;
  created?: CreatedTicket;
  pendingSpeech?: { text: string; lang: Language } | null;
}

export interface RecordingRef {
  sid: string;
  url: string;
  durationSeconds: number | null;
}

/** A ticket opened by phone (channel `voice`). The CallSid is its idempotency key. */
export interface NewVoiceTicket {
  callSid: string;
  /** null on callbacks that do not post From: the edge takes the number it kept with `remember-call`. */
  from: string | null;
  lang: Language;
  /**
   * describe: dictated; voicemail: recorded; urgent: option 3; hangup: words heard before a hang-up;
   * request: option 4, something asked for, recorded: a service request of the catalog's `other` item.
   */
  origin: 'describe' | 'voicemail' | 'urgent' | 'hangup' | 'request';
  subject: string;
  description: string;
  urgency: Level;
  recording: RecordingRef | null;
}

/** What the edge looks up or does before the step can go on, and which fact receives the answer. */
export type Need =
  | { kind: 'lookup-caller' } // → facts.caller, by the From number
  | { kind: 'lookup-outages' } // → facts.outages, the ongoing ones
  | { kind: 'lookup-on-call' } // → facts.onCallPhone, of an available on-call technician
  | { kind: 'lookup-ticket'; number: string } // → facts.ticket, ownedByCaller judged against From
  | { kind: 'create-ticket'; ticket: NewVoiceTicket } // → facts.created; at most one ticket per CallSid
  | { kind: 'lookup-pending-speech'; callSid: string }; // → facts.pendingSpeech, kept by remember-speech

/** What the edge carries out after answering. Each is safe to repeat when Twilio retries. */
export type Effect =
  /** Keep From and language for this CallSid: later callbacks (recording, partial) do not post From. */
  | { kind: 'remember-call'; callSid: string; from: string | null; lang: Language }
  /** SMS the ticket number to the caller (`to` null: the remembered From). Asked once per new ticket. */
  | { kind: 'text-number'; callSid: string; to: string | null; ticketNumber: string; lang: Language }
  /** Link a voicemail to the ticket opened earlier in the call. Key: recording.sid. */
  | { kind: 'attach-recording'; callSid: string; ticketNumber: string; recording: RecordingRef }
  /** Twilio's transcript of a voicemail, for the ticket of that CallSid. Key: recordingSid. */
  | { kind: 'add-transcript'; callSid: string; recordingSid: string; text: string }
  /** The words recognised so far; replaces the previous ones for that CallSid (the edge may drop them
   * once a ticket exists for the call). */
  | { kind: 'remember-speech'; callSid: string; text: string; lang: Language }
  /** Duration and outcome of the call, for the ticket of that CallSid if there is one. */
  | { kind: 'record-call-status'; callSid: string; status: string; durationSeconds: number | null };

export type Answer = { kind: 'answer'; twiml: string; effects: Effect[] };
export type Step = { kind: 'need'; need: Need } | Answer;

export const need = (n: Need): Step => ({ kind: 'need', need: n });

export const answer = (twiml: string | { toString(): string }, effects: Effect[] = []): Answer => ({
  kind: 'answer',
  twiml: twiml.toString(),
  effects,
});

/** Pseudo-numbers carriers send for withheld caller IDs: nobody to look up or to text. */
const WITHHELD = new Set(['+266696687', '+7378742833', '+2562533', '+8656696', '+86282452253']);

export function isReachablePhone(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^\+[1-9]\d{6,14}$/.test(value) && !WITHHELD.has(value);
}

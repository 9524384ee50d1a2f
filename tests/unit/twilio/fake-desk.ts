import { expect } from 'vitest';
import type { Language, TicketStatus } from '../../../src/domain/values.js';
import {
  callInput,
  decodeState,
  runStep,
  type Answer,
  type CallFacts,
  type Effect,
  type KnownCaller,
  type Need,
  type NewVoiceTicket,
} from '../../../src/intake/twilio/ivr.js';
import { parseVoiceHook } from '../../../src/intake/twilio/ivr-state.js';
import { find, parseTwiml, twimlProblems, type TwimlNode } from './twiml.js';

interface StoredTicket {
  number: string;
  status: TicketStatus;
  assigneeName: string | null;
  requesterPhone: string | null;
  created: NewVoiceTicket | null;
  recordings: string[];
  transcripts: string[];
}

export interface Reply {
  answer: Answer;
  doc: TwimlNode;
  needs: Need[];
}

/**
 * A stand-in for the route layer: it fulfils the step's needs from memory and carries out its effects
 * the way the contract asks the real edge to (one ticket per CallSid, one text per new ticket).
 * Every TwiML it receives is checked against Twilio's vocabulary.
 */
export class FakeDesk {
  defaultLanguage: Language = 'fr';
  openNow = true;
  onCallPhone: string | null = '+33700000001';
  callers = new Map<string, KnownCaller>();
  outages: { title: string }[] = [];
  tickets = new Map<string, StoredTicket>();
  texts: { to: string; ticketNumber: string; lang: Language }[] = [];
  effects: Effect[] = [];
  callStatuses: { callSid: string; status: string }[] = [];
  private byCall = new Map<string, string>();
  private calls = new Map<string, { from: string | null }>();
  private speech = new Map<string, { text: string; lang: Language }>();
  private nextNumber = 1042;

  addTicket(t: { number: string; status: TicketStatus; assigneeName: string | null; requesterPhone: string | null }): void {
    this.tickets.set(t.number, { ...t, created: null, recordings: [], transcripts: [] });
  }

  get created(): NewVoiceTicket[] {
    return [...this.tickets.values()].flatMap((t) => (t.created ? [t.created] : []));
  }

  /** Posts a webhook as Twilio would: `url` is a path under /twilio/voice with its query. */
  async post(url: string, params: Record<string, string>): Promise<Reply> {
    const parsed = new URL(url, 'https://desk.example.com');
    expect(parsed.pathname.startsWith('/twilio/voice')).toBe(true);
    const segment = parsed.pathname.replace(/^\/twilio\/voice\/?/, '');
    const hook = parseVoiceHook(segment === '' ? undefined : segment);
    if (hook === null) throw new Error(`no voice hook at ${parsed.pathname}`);
    const state = decodeState(parsed.searchParams);
    const input = callInput(hook, params);
    const facts: CallFacts = { defaultLanguage: this.defaultLanguage, openNow: this.openNow };
    const needs: Need[] = [];
    const answer = await runStep(state, input, facts, async (need, current) => {
      needs.push(need);
      return this.fulfil(need, current, params.From ?? null);
    });
    expect(twimlProblems(answer.twiml)).toEqual([]);
    for (const effect of answer.effects) this.apply(effect);
    return { answer, doc: parseTwiml(answer.twiml), needs };
  }

  private async fulfil(need: Need, facts: CallFacts, from: string | null): Promise<CallFacts> {
    switch (need.kind) {
      case 'lookup-caller':
        return { ...facts, caller: (from && this.callers.get(from)) || null };
      case 'lookup-outages':
        return { ...facts, outages: this.outages };
      case 'lookup-on-call':
        return { ...facts, onCallPhone: this.onCallPhone };
      case 'lookup-ticket': {
        const t = this.tickets.get(need.number);
        if (!t) return { ...facts, ticket: null };
        const ownedByCaller = from !== null && t.requesterPhone === from;
        return { ...facts, ticket: { number: t.number, status: t.status, assigneeName: t.assigneeName, ownedByCaller } };
      }
      case 'create-ticket': {
        const existing = this.byCall.get(need.ticket.callSid);
        if (existing) return { ...facts, created: { number: existing, isNew: false } };
        const number = String(this.nextNumber++);
        const requesterPhone = need.ticket.from ?? this.calls.get(need.ticket.callSid)?.from ?? null;
        this.tickets.set(number, {
          number,
          status: 'new',
          assigneeName: null,
          requesterPhone,
          created: need.ticket,
          recordings: need.ticket.recording ? [need.ticket.recording.sid] : [],
          transcripts: [],
        });
        this.byCall.set(need.ticket.callSid, number);
        this.speech.delete(need.ticket.callSid);
        return { ...facts, created: { number, isNew: true } };
      }
      case 'lookup-pending-speech':
        return { ...facts, pendingSpeech: this.speech.get(need.callSid) ?? null };
    }
  }

  private apply(effect: Effect): void {
    this.effects.push(effect);
    switch (effect.kind) {
      case 'remember-call':
        this.calls.set(effect.callSid, { from: effect.from });
        return;
      case 'text-number': {
        const to = effect.to ?? this.calls.get(effect.callSid)?.from;
        if (to) this.texts.push({ to, ticketNumber: effect.ticketNumber, lang: effect.lang });
        return;
      }
      case 'attach-recording': {
        const t = this.tickets.get(effect.ticketNumber);
        if (t && !t.recordings.includes(effect.recording.sid)) t.recordings.push(effect.recording.sid);
        return;
      }
      case 'add-transcript': {
        const number = this.byCall.get(effect.callSid);
        const t = number === undefined ? undefined : this.tickets.get(number);
        t?.transcripts.push(effect.text);
        return;
      }
      case 'remember-speech':
        if (!this.byCall.has(effect.callSid)) this.speech.set(effect.callSid, { text: effect.text, lang: effect.lang });
        return;
      case 'record-call-status':
        this.callStatuses.push({ callSid: effect.callSid, status: effect.status });
        return;
    }
  }
}

/** The URL Twilio would request next for a verb of the document. */
export function actionOf(doc: TwimlNode, verb: 'Gather' | 'Record' | 'Dial'): string {
  const node = find(doc, verb);
  const url = node?.attrs.action;
  if (!url) throw new Error(`no <${verb} action> in the answer`);
  return url;
}

export function redirectOf(doc: TwimlNode): string {
  const node = find(doc, 'Redirect');
  if (!node) throw new Error('no <Redirect> in the answer');
  return node.text;
}

export function attrOf(doc: TwimlNode, verb: string, attribute: string): string {
  const value = find(doc, verb)?.attrs[attribute];
  if (!value) throw new Error(`no ${attribute} on <${verb}>`);
  return value;
}

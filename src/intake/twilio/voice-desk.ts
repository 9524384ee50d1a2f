import { LANGUAGES, type Language } from '../../domain/values.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { openTicket } from '../../tickets/open-ticket.js';
import { openRequest } from '../../tickets/requests.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { OutageTranslations } from '../../domain/ticket.js';
import type { CallMemory } from './call-memory.js';
import { isReachablePhone, type CallFacts, type Need, type NewVoiceTicket, type TicketFact } from './ivr.js';
import { linkRecording } from './voice-effects.js';

/**
 * The facts the voice menu asks for (see ivr-protocol.ts `Need`), looked up in the store. The menu
 * decides; this only answers, and opens the ticket it asks for.
 */
export interface VoiceDeskDeps {
  store: Store;
  tickets: TicketDeps;
  memory: CallMemory;
}

/** The request's own parties: From is absent on some callbacks, To is the hotline. */
export interface CallParties {
  from: string | null;
  to: string | null;
}

export function createVoiceDesk(deps: VoiceDeskDeps) {
  const { store, memory } = deps;

  /** The caller's number, from this request or, on callbacks that do not post it, from the call's start. */
  async function callerOf(callSid: string, from: string | null): Promise<string | null> {
    return from ?? (await memory.call(callSid))?.from ?? null;
  }

  async function lookupTicket(number: string, callSid: string, parties: CallParties): Promise<TicketFact | null> {
    const id = await store.tickets.idByKey(number);
    const ticket = id ? await store.tickets.get(id) : null;
    if (!ticket) return null;
    const from = await callerOf(callSid, parties.from);
    // Ownership by the calling number: only the requester's own phone hears the technician's name.
    const requester = isReachablePhone(from) ? await store.requesters.get(ticket.requester.id) : null;
    return {
      number: String(ticket.number),
      status: ticket.status,
      assigneeName: ticket.assignee?.name ?? null,
      ownedByCaller: requester !== null && from !== null && requester.phones.includes(from),
    };
  }

  /**
   * At most one ticket per CallSid: the call's inbound message row is keyed by it, so a retried
   * webhook, or the recording callback racing the <Record> action, finds the first ticket.
   */
  async function createTicket(t: NewVoiceTicket, parties: CallParties): Promise<NonNullable<CallFacts['created']>> {
    const from = await callerOf(t.callSid, t.from);
    const phone = isReachablePhone(from) ? from : null;
    const requested = t.origin === 'request' ? await createRequest(t, phone, parties) : null;
    if (requested) return requested;
    const result = await openTicket(deps.tickets, {
      channel: 'voice',
      subject: t.subject,
      description: t.description,
      requester: { phone, language: t.lang },
      ...(t.urgency === 'high' ? { urgencyHint: 'high' as const } : {}),
      message: { externalId: t.callSid, sender: phone, recipient: parties.to, subject: t.subject, body: t.description },
      details: {
        origin: t.origin,
        language: t.lang,
        ...(t.recording ? { recordingUrl: t.recording.url, recordingSid: t.recording.sid } : {}),
      },
    });
    const ticket = result.ticket;
    if (!ticket) throw new AppError('INTERNAL', 'the call was recorded without a ticket');
    // Also on a retry: the first attempt may have stopped between the ticket and its recording.
    if (t.recording) await linkRecording(deps.tickets, ticket.id, t.recording);
    await memory.forgetSpeech(t.callSid);
    return { number: String(ticket.number), isNew: result.created };
  }

  /**
   * Option 4, something asked for (#17): a service request of the catalog's `other` item (the desk
   * qualifies it; it needs nobody's approval), its description the recording's placeholder until the
   * transcript replaces it, as a voicemail's. Keyed by the CallSid like any call's ticket: the call
   * that opened it already reads its number back and texts nothing more. With `other` taken out of
   * the catalog (null), the call opens an incident as a voicemail does: what was said is never lost.
   */
  async function createRequest(
    t: NewVoiceTicket,
    phone: string | null,
    parties: CallParties,
  ): Promise<NonNullable<CallFacts['created']> | null> {
    const known = await store.messages.ticketIdOf('voice', t.callSid);
    const existing = known ? await store.tickets.get(known) : null;
    const other = existing ? null : await store.catalog.get('other');
    if (!existing && !other?.active) return null;
    const ticket =
      existing ??
      (await openRequest(deps.tickets, {
        itemId: 'other',
        requester: phone ? { phone } : {},
        fields: { description: t.description },
        channel: 'voice',
        subject: t.subject,
        description: t.description,
        language: t.lang,
        message: { externalId: t.callSid, sender: phone, recipient: parties.to, subject: t.subject, body: t.description },
        details: {
          origin: t.origin,
          language: t.lang,
          ...(t.recording ? { recordingUrl: t.recording.url, recordingSid: t.recording.sid } : {}),
        },
      }));
    if (t.recording) await linkRecording(deps.tickets, ticket.id, t.recording);
    await memory.forgetSpeech(t.callSid);
    return { number: String(ticket.number), isNew: existing === null };
  }

  return {
    /** Answers one need; the result goes into the facts, `null` when there is nothing to find. */
    async fulfil(need: Need, facts: CallFacts, callSid: string, parties: CallParties): Promise<CallFacts> {
      switch (need.kind) {
        case 'lookup-caller':
        case 'lookup-outages': {
          // One round trip answers both, whichever the menu asks for first: every call starts here.
          const phone = isReachablePhone(parties.from) ? parties.from : null;
          const { caller, outages } = await store.callers.greeting(phone);
          // A requester we know only by number has no name to greet; the plain greeting it is.
          const known = caller?.name ? { name: caller.name, language: caller.language } : null;
          return {
            ...facts,
            caller: facts.caller === undefined ? known : facts.caller,
            outages: facts.outages ?? outages.map((o) => ({ title: o.title, titleIn: titlesOf(o.translations) })),
          };
        }
        case 'lookup-on-call': {
          const onCall = await store.technicians.onCall();
          const reachable = onCall.find((t) => isReachablePhone(t.phone));
          return { ...facts, onCallPhone: reachable?.phone ?? null };
        }
        case 'lookup-ticket':
          return { ...facts, ticket: await lookupTicket(need.number, callSid, parties) };
        case 'create-ticket':
          return { ...facts, created: await createTicket(need.ticket, parties) };
        case 'lookup-pending-speech':
          return { ...facts, pendingSpeech: await memory.speech(need.callSid) };
      }
    },
  };
}

/** An outage's title in each language the coordinator gave it in. */
export function titlesOf(translations: OutageTranslations): Partial<Record<Language, string>> {
  const titles: Partial<Record<Language, string>> = {};
  for (const lang of LANGUAGES) {
    const translated = translations[lang];
    if (translated) titles[lang] = translated.title;
  }
  return titles;
}

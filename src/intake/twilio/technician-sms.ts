import { isAppError, type ErrorCode } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { acceptTicket, addNote, declineTicket, escalateTicket, resolveTicket } from '../../tickets/actions.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { replyToRequester } from '../../tickets/reply.js';
import type { Technician, Ticket } from '../../domain/ticket.js';
import { twilioKeyword } from './requester-sms.js';
import { parseTechnicianCommand, type TechnicianCommand } from './technician-commands.js';
import { formatTicketList, helpText, replies } from './technician-replies.js';

export interface TechnicianSmsDeps {
  store: Store;
  tickets: TicketDeps;
}

export interface InboundSms {
  messageSid: string;
  from: string;
  to: string | null;
  text: string;
  /** Set by Twilio when its Advanced Opt-Out matched the message. */
  optOutType?: string;
}

type TicketCommand = Extract<TechnicianCommand, { ticketNumber: string | null }>;

/**
 * A command text (a technician's, an approver's YES/NO) recorded on no ticket, by its MessageSid,
 * before it is run: false when Twilio redelivers one seen before, which must not run twice.
 */
export async function recordCommandSms(store: Store, sms: InboundSms): Promise<boolean> {
  const recorded = await store.messages.record({
    ticketId: null,
    direction: 'in',
    channel: 'sms',
    sender: sms.from,
    recipient: sms.to,
    body: sms.text,
    externalId: sms.messageSid,
  });
  return recorded !== null;
}

/** Refusals that say nothing about the ticket: it may not exist, or belong to someone else. */
const NOT_YOURS: readonly ErrorCode[] = ['TICKET_NOT_FOUND', 'FORBIDDEN'];
/** The ticket is theirs, but its state forbids the move. */
const REFUSED: readonly ErrorCode[] = ['ILLEGAL_TRANSITION', 'RESOLUTION_REQUIRED', 'VALIDATION_FAILED', 'UNPROCESSABLE', 'CONFLICT'];

/**
 * A text from a registered technician's phone: one command of the contract, run through the same
 * use cases as the API with the technician as the actor, so the API's rules hold (only their own
 * tickets, only legal moves). Answers the reply to text back, or null for no reply at all.
 */
export async function runTechnicianSms(deps: TechnicianSmsDeps, technician: Technician, sms: InboundSms): Promise<string | null> {
  // Opting out or in is Twilio's business (it blocks our sends after STOP); HELP, though, is ours.
  const keyword = twilioKeyword(sms.text, sms.optOutType);
  if (keyword === 'opt-out' || keyword === 'opt-in') return null;
  if (!(await recordCommandSms(deps.store, sms))) return null;

  const lang = technician.language;
  const command = parseTechnicianCommand(sms.text, lang);
  switch (command.kind) {
    case 'invalid':
      return command.reply;
    case 'help':
      return helpText(lang);
    case 'list': {
      const open = await deps.store.tickets.openTicketsOf(technician.id);
      return formatTicketList(
        lang,
        open.map((t) => ({ number: String(t.number), priority: t.priority, status: t.status, subject: t.subject })),
      );
    }
    default:
      return runOnTicket(deps, technician, command);
  }
}

async function runOnTicket(deps: TechnicianSmsDeps, technician: Technician, command: TicketCommand): Promise<string> {
  const r = replies(technician.language);
  let number = command.ticketNumber;
  if (number === null) {
    // "The one ticket waiting for your answer": an offer they have not taken or declined yet.
    const waiting = (await deps.store.tickets.openTicketsOf(technician.id)).filter((t) => t.status === 'assigned');
    const only = waiting.length === 1 ? waiting[0] : undefined;
    if (only === undefined) return waiting.length === 0 ? r.noneWaiting : r.whichTicket(waiting.map((t) => String(t.number)));
    number = String(only.number);
  }
  const id = await deps.store.tickets.idByKey(number);
  const ticket = id ? await deps.store.tickets.get(id) : null;
  if (ticket?.assignee?.id !== technician.id) return r.notYours(number);

  const actor = { kind: 'technician', id: technician.id } as const;
  let after: Ticket;
  try {
    switch (command.kind) {
      case 'accept':
        await acceptTicket(deps.tickets, number, technician.id);
        return r.accepted(number);
      case 'decline':
        await declineTicket(deps.tickets, number, technician.id);
        return r.declined(number);
      case 'note':
        // A work note: internal, for the technicians who pick the ticket up later.
        await addNote(deps.tickets, number, command.text, true, actor);
        return r.noted(number);
      case 'reply':
        // To the requester, by the channel they used: the same use case as the API's and the console's.
        await replyToRequester(deps.tickets, number, command.text, actor);
        return r.replied(number);
      case 'done':
        await resolveTicket(deps.tickets, number, command.resolution, actor);
        return r.resolved(number);
      case 'escalate':
        after = await escalateTicket(deps.tickets, number, command.reason, actor);
        return r.escalated(number, after.tier);
    }
  } catch (err) {
    if (isAppError(err) && NOT_YOURS.includes(err.code)) return r.notYours(number);
    if (isAppError(err) && REFUSED.includes(err.code)) return r.refused(number);
    throw err;
  }
}

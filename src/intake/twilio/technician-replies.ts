import { reference, type Language, type Priority, type TicketStatus } from '../../domain/values.js';
import { COMMAND_FORMS } from './technician-commands.js';
import { SMS_SEGMENT, fitSms, gsm7Length, toGsm7 } from './sms-text.js';

/**
 * What the gateway texts back to a technician. Written in the GSM-7 alphabet (no ê, ç or curly quotes)
 * so that each reply is one 160-character segment. A refusal names only the number the technician
 * typed, never anything about the ticket: the sender may not be entitled to know it exists.
 */

export interface TicketLine {
  number: string;
  priority: Priority;
  status: TicketStatus;
  subject: string;
}

const STATUS: Readonly<Record<Language, Readonly<Record<TicketStatus, string>>>> = {
  en: {
    awaiting_approval: 'awaiting approval',
    new: 'new',
    assigned: 'assigned',
    in_progress: 'in progress',
    pending: 'pending',
    resolved: 'resolved',
    closed: 'closed',
  },
  fr: {
    awaiting_approval: 'en attente d’approbation',
    new: 'nouveau',
    assigned: 'attribué',
    in_progress: 'en cours',
    pending: 'en attente',
    resolved: 'résolu',
    closed: 'clos',
  },
};

export function helpText(lang: Language): string {
  const f = COMMAND_FORMS[lang];
  const list = [f.accept, f.decline, f.note, f.reply, f.done, f.escalate, f.list].join(', ');
  return lang === 'fr'
    ? `Commandes : ${list}. Sans <n> : votre seul ticket en attente.`
    : `Commands: ${list}. Without <n>: your only waiting ticket.`;
}

type Replies = {
  accepted(n: string): string;
  declined(n: string): string;
  noted(n: string): string;
  /** The reply is on its way to the requester (queued with the change, sent by the notify worker). */
  replied(n: string): string;
  resolved(n: string): string;
  escalated(n: string, tier: number): string;
  /** Not found and not theirs read the same, so that the reply discloses nothing. */
  notYours(n: string): string;
  /** The ticket exists and is theirs, but its state forbids the move (e.g. DONE on a closed ticket). */
  refused(n: string): string;
  whichTicket(numbers: readonly string[]): string;
  noneWaiting: string;
  noOpenTickets: string;
  listHeader(count: number): string;
  more(count: number): string;
};

const EN: Replies = {
  accepted: (n) => `${reference(n)} is yours. Reply DONE ${n} <resolution> once solved.`,
  declined: (n) => `${reference(n)} handed back; it goes to the next technician.`,
  noted: (n) => `Note added to ${reference(n)}.`,
  replied: (n) => `Reply to ${reference(n)} sent to the requester.`,
  resolved: (n) => `${reference(n)} resolved. The requester is told.`,
  escalated: (n, tier) => `${reference(n)} escalated to tier ${tier}.`,
  notYours: (n) => `No ticket ${n} among yours. Send LIST to see them.`,
  refused: (n) => `${reference(n)}: not possible in its current state. Send LIST to see your tickets.`,
  whichTicket: (ns) => `Several tickets await you: ${ns.join(', ')}. Add the number, e.g. ACCEPT ${ns[0] ?? '1042'}.`,
  noneWaiting: 'No ticket awaits your answer. Add the number, e.g. NOTE 1042 <text>.',
  noOpenTickets: 'You have no open tickets.',
  listHeader: (count) => `Your open tickets (${count}):`,
  more: (count) => `+${count} more`,
};

const FR: Replies = {
  accepted: (n) => `${reference(n)} est à vous. Répondez DONE ${n} <résolution> une fois réglé.`,
  declined: (n) => `${reference(n)} rendu ; il part au technicien suivant.`,
  noted: (n) => `Note ajoutée à ${reference(n)}.`,
  replied: (n) => `Réponse à ${reference(n)} envoyée au demandeur.`,
  resolved: (n) => `${reference(n)} résolu. Le demandeur est prévenu.`,
  escalated: (n, tier) => `${reference(n)} escaladé au niveau ${tier}.`,
  notYours: (n) => `Aucun ticket ${n} parmi vos tickets. Envoyez LIST pour les voir.`,
  refused: (n) => `${reference(n)} : impossible dans son état actuel. Envoyez LIST pour voir vos tickets.`,
  whichTicket: (ns) => `Plusieurs tickets vous attendent : ${ns.join(', ')}. Ajoutez le numéro, ex. ACCEPT ${ns[0] ?? '1042'}.`,
  noneWaiting: "Aucun ticket n'attend votre réponse. Ajoutez le numéro, ex. NOTE 1042 <texte>.",
  noOpenTickets: "Vous n'avez aucun ticket ouvert.",
  listHeader: (count) => `Vos tickets ouverts (${count}) :`,
  more: (count) => `+${count} autres`,
};

export const TECHNICIAN_REPLIES: Readonly<Record<Language, Replies>> = { en: EN, fr: FR };

export function replies(lang: Language): Replies {
  return TECHNICIAN_REPLIES[lang];
}

/**
 * LIST: one line a ticket, most urgent first as given, subjects shortened and the tail counted, so the
 * answer stays one segment.
 */
export function formatTicketList(lang: Language, tickets: readonly TicketLine[], max = SMS_SEGMENT): string {
  const r = TECHNICIAN_REPLIES[lang];
  if (tickets.length === 0) return r.noOpenTickets;
  let text = r.listHeader(tickets.length);
  for (const [i, t] of tickets.entries()) {
    const line = `\n${t.number} ${t.priority} ${STATUS[lang][t.status]}: ${fitSms(t.subject, 28)}`;
    const left = tickets.length - i - 1;
    const tail = left > 0 ? `\n${r.more(left)}` : '';
    const length = gsm7Length(toGsm7(text + line + tail)) ?? Infinity;
    if (length > max) return toGsm7(`${text}\n${r.more(tickets.length - i)}`);
    text += line;
  }
  return toGsm7(text);
}

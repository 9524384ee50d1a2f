import type { Language } from '../../domain/values.js';

/**
 * Technicians' SMS commands (contract: "Technician SMS commands"), parsed without any I/O. The edge
 * checks that the sender is a registered technician and that the ticket is theirs; a `null` ticket
 * number means "my only ticket waiting for an answer", which the edge resolves or refuses.
 */
export type TechnicianCommand =
  | { kind: 'accept'; ticketNumber: string | null }
  | { kind: 'decline'; ticketNumber: string | null }
  | { kind: 'note'; ticketNumber: string | null; text: string }
  | { kind: 'reply'; ticketNumber: string | null; text: string }
  | { kind: 'done'; ticketNumber: string | null; resolution: string }
  | { kind: 'escalate'; ticketNumber: string | null; reason: string }
  | { kind: 'list' }
  | { kind: 'help' }
  | { kind: 'invalid'; reply: string };

type Verb = 'accept' | 'decline' | 'note' | 'reply' | 'done' | 'escalate' | 'list' | 'help';

/** The contract's words first; a few aliases that technicians type anyway. */
const VERBS: Readonly<Record<string, Verb>> = {
  ACCEPT: 'accept',
  OK: 'accept',
  DECLINE: 'decline',
  NOTE: 'note',
  REPLY: 'reply',
  REPONDRE: 'reply',
  RÉPONDRE: 'reply',
  DONE: 'done',
  ESC: 'escalate',
  ESCALATE: 'escalate',
  LIST: 'list',
  HELP: 'help',
  AIDE: 'help',
  '?': 'help',
};

/** How each command is written, in the order HELP lists them. */
export const COMMAND_FORMS: Readonly<Record<Language, Readonly<Record<Verb, string>>>> = {
  en: {
    accept: 'ACCEPT <n>',
    decline: 'DECLINE <n>',
    note: 'NOTE <n> <text>',
    reply: 'REPLY <n> <text>',
    done: 'DONE <n> <resolution>',
    escalate: 'ESC <n> <reason>',
    list: 'LIST',
    help: 'HELP',
  },
  fr: {
    accept: 'ACCEPT <n>',
    decline: 'DECLINE <n>',
    note: 'NOTE <n> <texte>',
    reply: 'REPLY <n> <texte>',
    done: 'DONE <n> <résolution>',
    escalate: 'ESC <n> <motif>',
    list: 'LIST',
    help: 'HELP',
  },
};

const EXAMPLES: Readonly<Record<Language, Partial<Record<Verb, string>>>> = {
  en: {
    note: 'NOTE 1042 toner ordered',
    reply: 'REPLY 1042 I come at 2pm',
    done: 'DONE 1042 replaced the cable',
    escalate: 'ESC 1042 needs a network admin',
  },
  fr: {
    note: 'NOTE 1042 toner commandé',
    reply: 'REPLY 1042 je passe à 14h',
    done: 'DONE 1042 pilote réinstallé',
    escalate: "ESC 1042 besoin d'un admin réseau",
  },
};

const TICKET = /^(?:#|HD-?|N°)?(\d{1,18})[.,;:!]?$/i;

/**
 * "ACCEPT 1042", "ok #1042", "Done HD-1042 replaced the cable", "NOTE waiting for the part" (no number).
 * A first word after the verb that reads as a ticket number is taken as one: "NOTE 3 toners" means
 * ticket 3. The free text keeps its own line breaks.
 */
export function parseTechnicianCommand(body: string, lang: Language): TechnicianCommand {
  const trimmed = body.trim();
  const head = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const word = head?.[1]?.replace(/[.,;:!]+$/, '').toUpperCase() ?? '';
  const verb = VERBS[word];
  if (verb === undefined) return { kind: 'invalid', reply: unknownReply(lang) };
  if (verb === 'list' || verb === 'help') return { kind: verb };

  const rest = head?.[2] ?? '';
  const first = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  const numberMatch = first?.[1] === undefined ? null : TICKET.exec(first[1]);
  const ticketNumber = numberMatch?.[1] === undefined ? null : String(BigInt(numberMatch[1]));
  const text = (numberMatch ? (first?.[2] ?? '') : rest).trim();

  switch (verb) {
    case 'accept':
    case 'decline':
      // Anything but a number after ACCEPT is more likely a typo in the number than a comment.
      if (ticketNumber === null && text !== '') return invalid(verb, lang);
      return { kind: verb, ticketNumber };
    case 'note':
    case 'reply':
      return text === '' ? invalid(verb, lang) : { kind: verb, ticketNumber, text };
    case 'done':
      return text === '' ? invalid(verb, lang) : { kind: 'done', ticketNumber, resolution: text };
    case 'escalate':
      return text === '' ? invalid(verb, lang) : { kind: 'escalate', ticketNumber, reason: text };
  }
}

function invalid(verb: Verb, lang: Language): TechnicianCommand {
  const form = COMMAND_FORMS[lang][verb];
  const example = EXAMPLES[lang][verb];
  const reply =
    lang === 'fr'
      ? `Format : ${form}${example ? `, ex. ${example}` : ''}. Sans numéro : votre seul ticket en attente.`
      : `Use: ${form}${example ? `, e.g. ${example}` : ''}. Without a number: your only waiting ticket.`;
  return { kind: 'invalid', reply };
}

function unknownReply(lang: Language): string {
  return lang === 'fr'
    ? 'Commande inconnue. Envoyez HELP pour la liste : ACCEPT, DECLINE, NOTE, REPLY, DONE, ESC, LIST.'
    : 'Unknown command. Send HELP for the list: ACCEPT, DECLINE, NOTE, REPLY, DONE, ESC, LIST.';
}

import type { Language, TicketStatus } from '../../domain/values.js';

/** How each language is spoken: Amazon Polly voices as Twilio names them, and the matching locale. */
export const VOICES = {
  fr: { voice: 'Polly.Lea', language: 'fr-FR' },
  en: { voice: 'Polly.Joanna', language: 'en-US' },
} as const satisfies Record<Language, { voice: string; language: string }>;

/**
 * The languages Twilio transcribes a <Record> in: English only (twilio.com/docs/voice/twiml/record,
 * `transcribe`; recordings of 2 to 120 s). French voicemails are kept as audio, and nothing tells a
 * French caller or the ticket that a transcript will follow. (French speech is understood live, by the
 * menu's "describe your problem" <Gather input="speech" language="fr-FR">.)
 */
export const TRANSCRIBED_LANGUAGES: readonly Language[] = ['en'];

/** The key that switches the menu to the other language. */
export const SWITCH_LANGUAGE_KEY = '9';

export function otherLanguage(lang: Language): Language {
  return lang === 'fr' ? 'en' : 'fr';
}

/**
 * A ticket number as the caller should hear it: one digit at a time ("1, 0, 4, 2"), since a
 * synthesised "one thousand forty-two" is hard to key back in later.
 */
export function spellDigits(number: string): string {
  return [...number.replace(/\D/g, '')].join(', ');
}

export interface VoicePrompts {
  greeting: string;
  greetingByName(name: string): string;
  outages(titles: readonly string[]): string;
  menu: string;
  /** Said in this language to callers who were greeted in the other one. */
  switchHint: string;
  describe: string;
  describeFallback: string;
  /** Option 4: what to say after the beep to ask for something. */
  request: string;
  voicemail: string;
  afterHours: string;
  ticketNumber(number: string): string;
  numberTexted: string;
  checkPrompt: string;
  status(number: string, status: TicketStatus): string;
  technician(name: string): string;
  notYours: string;
  notFound(number: string): string;
  urgent: string;
  connecting: string;
  noOnCall: string;
  onCallUnavailable: string;
  messageSaved(number: string): string;
  invalidChoice: string;
  noInput: string;
  goodbye: string;
}

const FR_STATUS: Record<TicketStatus, string> = {
  awaiting_approval: 'attend l’approbation de votre demande',
  new: 'est enregistré et attend un technicien',
  assigned: 'est attribué à un technicien',
  in_progress: 'est en cours de traitement',
  pending: 'est en attente d’un retour',
  resolved: 'est résolu',
  closed: 'est clos',
};

const EN_STATUS: Record<TicketStatus, string> = {
  awaiting_approval: 'is waiting for your request to be approved',
  new: 'is registered and waiting for a technician',
  assigned: 'is assigned to a technician',
  in_progress: 'is being worked on',
  pending: 'is waiting for a reply',
  resolved: 'is resolved',
  closed: 'is closed',
};

const fr: VoicePrompts = {
  greeting: 'Bonjour, vous êtes bien au support informatique.',
  greetingByName: (name) => `Bonjour ${name}, vous êtes bien au support informatique.`,
  outages: (titles) =>
    titles.length === 1
      ? `Nous avons connaissance d’un incident en cours : ${titles[0]}. Nos équipes y travaillent.`
      : `Nous avons connaissance des incidents en cours suivants : ${titles.join(', ')}. Nos équipes y travaillent.`,
  menu:
    'Pour signaler un problème, tapez 1. Pour connaître l’état d’un ticket, tapez 2. ' +
    'Si vous ne pouvez plus travailler du tout, tapez 3. ' +
    'Pour demander quelque chose, un accès, un compte ou du matériel, tapez 4.',
  switchHint: 'Pour le français, tapez 9.',
  describe: 'Décrivez votre problème en quelques phrases, puis patientez.',
  describeFallback: 'Je n’ai pas compris. Laissez un message après le bip, puis appuyez sur dièse.',
  request:
    'Dites après le bip ce dont vous avez besoin, pour qui, et pourquoi, puis appuyez sur dièse. ' +
    'Votre demande sera soumise à approbation si nécessaire.',
  voicemail: 'Laissez votre message après le bip, puis appuyez sur dièse.',
  afterHours: 'Le support est fermé pour le moment. Laissez un message : un ticket sera ouvert et traité dès l’ouverture.',
  ticketNumber: (n) => `Votre ticket porte le numéro ${spellDigits(n)}. Je répète : ${spellDigits(n)}.`,
  numberTexted: 'Vous allez recevoir ce numéro par SMS.',
  checkPrompt: 'Tapez le numéro du ticket, puis la touche dièse.',
  status: (n, s) => `Le ticket ${spellDigits(n)} ${FR_STATUS[s]}.`,
  technician: (name) => `Le technicien en charge est ${name}.`,
  notYours: 'Pour plus de détails, appelez depuis le numéro associé à ce ticket.',
  notFound: (n) => `Aucun ticket ne porte le numéro ${spellDigits(n)}.`,
  urgent: 'Nous ouvrons un ticket urgent.',
  connecting: 'Je vous mets en relation avec le technicien d’astreinte.',
  noOnCall: 'Aucun technicien d’astreinte n’est joignable pour le moment.',
  onCallUnavailable: 'Le technicien d’astreinte ne répond pas.',
  messageSaved: (n) => `Votre message est ajouté au ticket ${spellDigits(n)}.`,
  invalidChoice: 'Ce choix n’est pas valide.',
  noInput: 'Je n’ai rien entendu.',
  goodbye: 'Merci de votre appel, au revoir.',
};

const en: VoicePrompts = {
  greeting: 'Hello, you have reached the IT service desk.',
  greetingByName: (name) => `Hello ${name}, you have reached the IT service desk.`,
  outages: (titles) =>
    titles.length === 1
      ? `We know about an ongoing incident: ${titles[0]}. Our teams are working on it.`
      : `We know about these ongoing incidents: ${titles.join(', ')}. Our teams are working on them.`,
  menu:
    'To report a problem, press 1. To check on a ticket, press 2. ' +
    'If you cannot work at all, press 3. ' +
    'To ask for something, an access, an account or equipment, press 4.',
  switchHint: 'For English, press 9.',
  describe: 'Please describe your problem in a few sentences, then wait.',
  describeFallback: 'Sorry, I did not catch that. Please leave a message after the beep, then press the pound key.',
  request:
    'After the beep, say what you need, for whom, and why, then press the pound key. ' +
    'Your request will be sent for approval where needed.',
  voicemail: 'Please leave your message after the beep, then press the pound key.',
  afterHours: 'The service desk is closed right now. Leave a message: a ticket will be opened and handled when we open.',
  ticketNumber: (n) => `Your ticket number is ${spellDigits(n)}. Again: ${spellDigits(n)}.`,
  numberTexted: 'We will text you this number.',
  checkPrompt: 'Enter the ticket number, then press the pound key.',
  status: (n, s) => `Ticket ${spellDigits(n)} ${EN_STATUS[s]}.`,
  technician: (name) => `The technician in charge is ${name}.`,
  notYours: 'For details, please call from the phone number linked to this ticket.',
  notFound: (n) => `There is no ticket number ${spellDigits(n)}.`,
  urgent: 'We are opening an urgent ticket.',
  connecting: 'Connecting you to the on-call technician.',
  noOnCall: 'No on-call technician can be reached right now.',
  onCallUnavailable: 'The on-call technician is not answering.',
  messageSaved: (n) => `Your message was added to ticket ${spellDigits(n)}.`,
  invalidChoice: 'That is not a valid choice.',
  noInput: 'I did not hear anything.',
  goodbye: 'Thank you for calling. Goodbye.',
};

export const PROMPTS: Readonly<Record<Language, VoicePrompts>> = { fr, en };

/**
 * Written, not spoken: what a ticket opened by phone says when nobody dictated its text. A voicemail's
 * text promises a transcript only in the languages Twilio transcribes.
 */
export const VOICE_TICKET_TEXTS: Readonly<
  Record<
    Language,
    { voicemail: string; urgent: string; urgentSubject: string; voicemailSubject: string; request: string; requestSubject: string }
  >
> = {
  fr: {
    // No transcript is promised: Twilio does not transcribe French (see TRANSCRIBED_LANGUAGES).
    voicemail: 'Message vocal : écoutez l’enregistrement joint.',
    voicemailSubject: 'Message vocal',
    urgent: 'Appel urgent : la personne ne peut plus travailler du tout.',
    urgentSubject: 'Urgent : impossible de travailler',
    // As the voicemail's: no transcript is promised in French.
    request: 'Demande par téléphone : écoutez l’enregistrement joint.',
    requestSubject: 'Demande par téléphone',
  },
  en: {
    voicemail: 'Voicemail: the recording is attached; the transcript follows when available.',
    voicemailSubject: 'Voicemail',
    urgent: 'Urgent call: the caller cannot work at all.',
    urgentSubject: 'Urgent: cannot work at all',
    request: 'Request by phone: the recording is attached; the transcript follows when available.',
    requestSubject: 'Request by phone',
  },
};

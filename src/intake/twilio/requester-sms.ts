import { reference, type Language } from '../../domain/values.js';

/** Pure helpers for texts from requesters (anyone who is not a registered technician). */

export interface MediaAttachment {
  url: string;
  contentType: string | null;
}

/** Twilio posts at most 10 media per MMS; the cap keeps a forged NumMedia from meaning anything more. */
const MAX_MEDIA = 10;

/**
 * The MMS media of an incoming message (`NumMedia`, `MediaUrl0…`, `MediaContentType0…`), kept as links:
 * the files stay on Twilio's side. Entries without an http(s) URL are skipped.
 */
export function extractMedia(body: Readonly<Record<string, unknown>>): MediaAttachment[] {
  const count = Math.min(Number(typeof body.NumMedia === 'string' ? body.NumMedia : 0) || 0, MAX_MEDIA);
  const media: MediaAttachment[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = body[`MediaUrl${i}`];
    const type = body[`MediaContentType${i}`];
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) continue;
    media.push({ url, contentType: typeof type === 'string' && type !== '' ? type : null });
  }
  return media;
}

export type TwilioKeyword = 'opt-out' | 'opt-in' | 'help';

/**
 * Twilio's default keywords on long codes. A message that is exactly one of these (any case, surrounding
 * spaces and a final full stop aside) is answered by Twilio itself, and opt-outs block further sends:
 * the gateway must neither open a ticket nor reply.
 */
const KEYWORDS: Readonly<Record<string, TwilioKeyword>> = {
  STOP: 'opt-out',
  STOPALL: 'opt-out',
  UNSUBSCRIBE: 'opt-out',
  CANCEL: 'opt-out',
  END: 'opt-out',
  QUIT: 'opt-out',
  REVOKE: 'opt-out',
  OPTOUT: 'opt-out',
  START: 'opt-in',
  YES: 'opt-in',
  UNSTOP: 'opt-in',
  HELP: 'help',
  INFO: 'help',
};

/** `OptOutType` is what Twilio adds when Advanced Opt-Out (custom keywords) matched the message. */
const OPT_OUT_TYPES: Readonly<Record<string, TwilioKeyword>> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };

export function twilioKeyword(text: string, optOutType?: string): TwilioKeyword | null {
  const fromTwilio = optOutType ? OPT_OUT_TYPES[optOutType.toUpperCase()] : undefined;
  if (fromTwilio) return fromTwilio;
  const word = text.trim().replace(/[.!]$/, '').toUpperCase();
  return KEYWORDS[word] ?? null;
}

/** True when the edge should drop the message (no ticket, no reply). */
export function isHandledByTwilio(text: string, optOutType?: string): boolean {
  return twilioKeyword(text, optOutType) !== null;
}

/** The text that carries a ticket number to a caller or requester (one GSM-7 segment). */
export function ticketNumberSms(lang: Language, number: string): string {
  return lang === 'fr'
    ? `Support informatique : votre demande est enregistrée sous le numéro ${number} (${reference(number)}). Répondez à ce SMS pour la compléter.`
    : `IT service desk: your request is logged as number ${number} (${reference(number)}). Reply to this text to add to it.`;
}

/** Acknowledges a text that joined an open ticket rather than opening one. */
export function addedToTicketSms(lang: Language, number: string): string {
  return lang === 'fr'
    ? `Support informatique : message ajouté au ticket ${reference(number)}.`
    : `IT service desk: message added to ticket ${reference(number)}.`;
}

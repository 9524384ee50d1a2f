import { reference, type Language } from '../../domain/values.js';
import { blocksToHtml, blocksToText, short, toGsm } from './format.js';
import type { Block, Rendered, TicketInfo } from './types.js';

/**
 * A person's reply to the requester (`requester.reply`): their words as they wrote them, not a
 * template's, with the ticket's subject and a short footer that says who wrote and how to answer.
 * Not one of the templates: the words are not ours to shorten, so the SMS carries the whole text
 * (several segments when it is long; the use case bounds its length).
 */

export interface ReplyContext {
  ticket: TicketInfo;
  /** The reply as written. */
  body: string;
  /** Who wrote it; null for the coordinator, who signs as the desk. */
  author: string | null;
}

const TEAM: Record<Language, string> = { en: 'IT helpdesk', fr: 'Support informatique' };

const HOW_TO_ANSWER: Record<Language, (ref: string) => string> = {
  en: (ref) => `To answer, simply reply to this email: your message is added to request ${ref}.`,
  fr: (ref) => `Pour répondre, répondez simplement à cet e-mail : votre message sera ajouté à la demande ${ref}.`,
};

export function renderReply(lang: Language, ctx: ReplyContext): Rendered {
  const ref = reference(ctx.ticket.number);
  const signature = ctx.author ? `${ctx.author}, ${TEAM[lang]}` : TEAM[lang];
  const body: Block[] = [ctx.body, `— ${signature}`, HOW_TO_ANSWER[lang](ref)];
  return {
    // "Re:" as mail clients write it, whatever the language: the requester's client threads on it too.
    subject: `[${ref}] Re: ${short(ctx.ticket.subject)}`,
    text: `${blocksToText(body)}\n`,
    html: blocksToHtml(body, lang),
    sms: toGsm(`${ref}: ${ctx.body}\n- ${signature}`),
  };
}

/**
 * The words mail systems put in the subject or the first lines of what they send on their own, for the
 * classifier's last resort: a bounce or an auto-reply that carries no standard sign (no RFC 3464 report, no
 * RFC 3834 Auto-Submitted, no null sender). Taken from the mail systems' own templates: Postfix ("Undelivered
 * Mail Returned to Sender"), Exim ("Mail delivery failed: returning message to sender"), Sendmail ("Returned
 * mail: see transcript for details"), Exchange / Office 365 ("Undeliverable:", localised), Gmail ("Delivery
 * Status Notification (Failure)"), Lotus Domino ("DELIVERY FAILURE:"), GroupWise ("Mail Delivery Failure"),
 * and the vacation responders of Exchange, Gmail, Apple, Zimbra and Sieve (RFC 5230), in the languages the
 * desk's users write in. A subject must START with one of them: "Re: Undeliverable …" is a person writing
 * about a bounce.
 */

const BOUNCE_SUBJECTS = [
  /^undeliver(able|ed)\b/i,
  /^undelivered mail returned to sender/i,
  /^mail delivery (failed|failure|system|subsystem)/i,
  /^(mail )?delivery failure\b/i,
  /^returned mail\b/i,
  /^return(ed)? to sender\b/i,
  /^delivery status notification \((failure|delay)\)/i,
  /^delivery (status notification|notification|report)\b/i,
  /^failure notice\b/i,
  /^message (could not be delivered|not delivered|delivery failure)/i,
  /^(failed|undeliverable) (mail|message|delivery)\b/i,
  /^delivery has failed\b/i,
  /^nondeliverable mail\b/i,
  /^delayed mail\b/i,
  /^warning: (could not send message|message .* delayed)/i,
  /^delivery (delayed|delay)\b/i,
  /^(non remis|non distribuable|échec de (la )?remise|impossible de remettre)/i,
  /^(unzustellbar|nicht zustellbar|unzustellbare nachricht|zustellungsfehler|fehler bei der zustellung)/i,
  /^(onbestelbaar|niet bezorgd|kan niet worden bezorgd)/i,
  /^(no se puede entregar|no entregado|imposible entregar|error de entrega|mensaje no entregado)/i,
  /^(não foi possível entregar|não entregue|falha na entrega|mensagem não entregue)/i,
  /^(impossibile recapitare|non recapitabile|mancato recapito|messaggio non recapitato)/i,
  /^(kan inte levereras|ej levererat|kunne ikke leveres|ikke levert|ei voitu toimittaa)/i,
  /^(nie można dostarczyć|niedostarczalne|wiadomość niedostarczona)/i,
  /^(недоставленное сообщение|не доставлено|невозможно доставить|ошибка доставки)/i,
  /^(无法投递|未送达|退信|系统退信|邮件投递失败|無法傳遞|配信不能|配信できませんでした|送信エラー)/,
];

/** Delay notices (RFC 3464 "delayed"): the message is still being retried, nothing failed yet. */
const DELAY_WORDS =
  /(\(delay\)|delayed mail|delivery delayed|delivery delay|message delayed|still being retried|will (continue|keep) (to try|trying)|has not yet been delivered|not been delivered yet|verzögert|retardée?|en retard de remise|vertraagd|ritardat)/i;

const AUTO_REPLY_SUBJECTS = [
  /^(auto(matic)?[ -]?(reply|response|answer)|autoreply|auto-?response)\b/i,
  /^out of (the )?office\b/i,
  /^(i am|i'm) (out of the office|away|on (vacation|holiday|leave))/i,
  /^(away|vacation|on vacation|on holiday)( notice| message| reply)?\s*[:\-]/i,
  /^(réponse automatique|message d'absence|je suis (absent|absente|en congés?)\b|(absence|absent)\s*(:|$))/i,
  /^(abwesenheitsnotiz|automatische antwort|(abwesend|abwesenheit)\s*(:|$))/i,
  /^(automatisch antwoord|afwezig|niet aanwezig)/i,
  /^(respuesta automática|fuera de la oficina|(ausente|ausencia)\s*(:|$))/i,
  /^(resposta automática|fora do escritório|ausência\s*(:|$))/i,
  /^(risposta automatica|fuori sede|fuori ufficio|assente\s*(:|$))/i,
  /^(autosvar|frånvaro|fraværende|poissa|automaattinen vastaus|automatisk svar)/i,
  /^(odpowiedź automatyczna|autoodpowiedź|nieobecność)/i,
  /^(автоответ|автоматический ответ|нет на месте|отсутствую)/i,
  /^(自动回复|自動回覆|自動応答|自動返信|不在のお知らせ|休假自动回复)/,
];

/** The first lines of a bounce with no MIME report (Exim, qmail, old Sendmail, Domino, hosted filters). */
const BOUNCE_BODIES = [
  /this message was created automatically by mail delivery software/i,
  /^\s*(mail delivery failed|returned mail)\b/im,
  /i'm afraid i wasn't able to deliver your message/i,
  /could not be delivered to one or more (of its )?recipients/i,
  /delivery to the following recipients? (failed|has failed)/i,
  /your message (could not|did not|wasn't|was not) (be )?(delivered|reach)/i,
  /the following addresses had permanent fatal errors/i,
  /this is the mail system at host/i,
  /unable to deliver (your )?message to the following/i,
  /a message that you sent could not be delivered/i,
  /-+ this is a copy of the message, including all the headers/i,
];

/** "Mailing list managers" errors: Mailman, Sympa, Google Groups, LISTSERV refusing a post. */
const LIST_REFUSALS =
  /(you are not (a member|subscribed|allowed to post)|not a member of (this|the) (list|group)|you (do not|don't) have permission to post|your message .{0,200}(awaits|is being held|has been held) (moderator|for moderation)|post to moderated list|rejected by the (list|group))/i;

export function bounceSubject(subject: string): string | null {
  return firstMatch(BOUNCE_SUBJECTS, subject.trim());
}

export function autoReplySubject(subject: string): string | null {
  return firstMatch(AUTO_REPLY_SUBJECTS, subject.trim());
}

export function bounceBody(text: string): string | null {
  return firstMatch(BOUNCE_BODIES, text.slice(0, 4000));
}

export function listRefusal(text: string): string | null {
  return LIST_REFUSALS.exec(text.slice(0, 4000))?.[0] ?? null;
}

export function saysDelay(text: string): boolean {
  return DELAY_WORDS.test(text);
}

function firstMatch(patterns: readonly RegExp[], text: string): string | null {
  for (const pattern of patterns) {
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) return found.trim();
  }
  return null;
}

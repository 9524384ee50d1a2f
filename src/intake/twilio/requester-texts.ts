import { reference, type Language } from '../../domain/values.js';
import { isAppError } from '../../errors.js';
import type { Config } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import type { Notification } from '../../store/outbox-repository.js';
import { reopenTicket } from '../../tickets/actions.js';
import { applyChange } from '../../tickets/apply-change.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { openTicket } from '../../tickets/open-ticket.js';
import { findSurveyTicket, recordSatisfaction, type SurveyScore } from '../../tickets/satisfaction.js';
import type { Requester } from '../../domain/ticket.js';
import { appendInboundMessage } from '../append-message.js';
import { withLockedTicket } from '../ticket-transaction.js';
import { subjectOf } from './ivr.js';
import { addedToTicketSms, isHandledByTwilio, type MediaAttachment } from './requester-sms.js';
import type { InboundSms } from './technician-sms.js';
import { isThanks } from './thanks.js';

export interface RequesterTextDeps {
  config: Pick<Config, 'language'>;
  store: Store;
  tickets: TicketDeps;
}

export interface RequesterSms extends InboundSms {
  media: MediaAttachment[];
}

/** What a text from a requester (anyone not a registered technician) did. */
export type RequesterOutcome = 'ignored' | 'duplicate' | 'reopened' | 'nothing-to-reopen' | 'rated' | 'appended' | 'thanked' | 'opened';

/**
 * How long after a resolution a "thanks, it works" still lands on that ticket: the email intake's
 * reopen window (30 days), so that a reply by either channel meets the same ticket.
 */
const THANKS_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

const REOPEN = /^\s*REOPEN\b[\s.,:;!-]*/i;
/**
 * The closing message asks for "a single digit from 1 to 5". Matched on the trimmed text: two white-space
 * runs around an optional character backtrack quadratically ("1", 70,000 spaces, "x": 3.9 s).
 */
const SCORE = /^([1-5])\s*[.!]?$/;

/** The 1-5 a requester's text is, alone ("4", " 5 !"); undefined for anything else. */
export function surveyScore(text: string): string | undefined {
  return SCORE.exec(text.trim())?.[1];
}

/**
 * A requester's text: Twilio's own keywords are left to Twilio; `REOPEN` reopens their latest
 * resolved ticket; a lone digit 1-5 answers the survey of a ticket just closed, if one awaits it; a
 * text from someone with an open ticket joins it (the technician hears of it); a short thanks
 * (thanks.ts) from someone whose ticket was resolved lately joins that ticket quietly, neither
 * reopening it nor telling anyone; any other text opens a ticket on channel `sms`. MMS media are kept
 * as links on the ticket.
 */
export async function receiveRequesterSms(deps: RequesterTextDeps, sms: RequesterSms): Promise<RequesterOutcome> {
  if (isHandledByTwilio(sms.text, sms.optOutType)) return 'ignored';
  const requester = await deps.store.requesters.findByPhone(sms.from);
  if (requester && REOPEN.test(sms.text)) {
    const reopened = await reopenLatest(deps, requester, sms);
    if (reopened !== null) return reopened;
  }
  const score = surveyScore(sms.text);
  if (requester && score !== undefined) {
    const rated = await answerSurvey(deps, sms, Number(score) as SurveyScore);
    if (rated !== null) return rated;
  }
  const open = requester ? await deps.store.tickets.latestOpenIdOf(requester.id) : null;
  if (requester && open) {
    const lang = languageOf(deps, requester);
    const result = await appendInboundMessage(deps.tickets, {
      ticketId: open,
      requesterId: requester.id,
      requesterName: requester.name,
      message: inboundMessage(sms),
      attachments: sms.media,
      also: (t) => [smsText(`${sms.messageSid}:added`, t.id, sms.from, lang, addedToTicketSms(lang, String(t.number)))],
    });
    return result.appended ? 'appended' : 'duplicate';
  }
  // A picture says more than thanks (a screenshot of the next problem): only a bare text is one.
  if (requester && sms.media.length === 0 && isThanks(sms.text)) {
    const thanked = await thankLatest(deps, requester, sms);
    if (thanked !== null) return thanked;
  }
  return openFromSms(deps, sms);
}

/**
 * A thanks lands on the requester's ticket resolved within THANKS_WINDOW_DAYS as a message and a
 * `requester_replied` event marked as an acknowledgement: no reopening, no notification, nobody paged.
 * Null when no ticket was resolved lately (the text is then handled like any other).
 */
async function thankLatest(deps: RequesterTextDeps, requester: Requester, sms: RequesterSms): Promise<RequesterOutcome | null> {
  const now = deps.tickets.now?.() ?? new Date();
  const latest = await deps.store.tickets.latestFinishedOf(requester.id, new Date(now.getTime() - THANKS_WINDOW_DAYS * DAY_MS));
  if (!latest) return null;
  return withLockedTicket(deps.tickets, latest.id, async ({ tx, deps: bound }) => {
    const id = await tx.messages.record({ ...inboundMessage(sms), ticketId: latest.id, direction: 'in' });
    if (id === null) return 'duplicate';
    const attachments = await tx.attachmentLinks.addNew({ ticketId: latest.id, messageId: id }, sms.media);
    await applyChange(bound, latest.id, `requester:${requester.id}`, () => ({
      changes: {},
      events: [{ type: 'requester_replied', data: { channel: 'sms', messageId: id, attachments, acknowledgement: true } }],
    }));
    return 'thanked';
  });
}

async function openFromSms(deps: RequesterTextDeps, sms: RequesterSms): Promise<RequesterOutcome> {
  const text = sms.text.trim();
  const result = await openTicket(deps.tickets, {
    channel: 'sms',
    // A picture alone still opens a ticket; its subject says what came.
    subject: subjectOf(text) || 'MMS',
    description: text,
    requester: { phone: sms.from },
    message: inboundMessage(sms),
  });
  const ticket = result.ticket;
  // Also on a redelivery: the first attempt may have stopped between the ticket and its media.
  if (ticket && sms.media.length > 0) {
    const messageId = await deps.store.messages.idOf('sms', sms.messageSid);
    await withLockedTicket(deps.tickets, ticket.id, ({ tx }) => tx.attachmentLinks.addNew({ ticketId: ticket.id, messageId }, sms.media));
  }
  return result.created ? 'opened' : 'duplicate';
}

/**
 * REOPEN: the requester's most recently resolved ticket goes back to work, the text joining it as a
 * message. Null when there is no such ticket any more by the time it is locked (then the text is
 * handled like any other).
 */
async function reopenLatest(deps: RequesterTextDeps, requester: Requester, sms: RequesterSms): Promise<RequesterOutcome | null> {
  const lang = languageOf(deps, requester);
  const latest = await deps.store.tickets.latestResolvedOf(requester.id);
  if (!latest) {
    // Answered, not opened: "REOPEN" alone says nothing a technician could work on.
    const recorded = await deps.store.transaction(async (tx) => {
      const id = await tx.messages.record({ ...inboundMessage(sms), ticketId: null, direction: 'in' });
      if (id !== null) await tx.outbox.add([smsText(`${sms.messageSid}:no-reopen`, null, sms.from, lang, nothingToReopenSms(lang))]);
      return id;
    });
    return recorded === null ? 'duplicate' : 'nothing-to-reopen';
  }
  const reason = sms.text.replace(REOPEN, '').trim();
  try {
    return await withLockedTicket(deps.tickets, latest.id, async ({ tx, deps: bound }) => {
      const id = await tx.messages.record({ ...inboundMessage(sms), ticketId: latest.id, direction: 'in' });
      if (id === null) return 'duplicate';
      await tx.attachmentLinks.addNew({ ticketId: latest.id, messageId: id }, sms.media);
      await reopenTicket(bound, String(latest.number), reason || 'reopened by the requester by SMS', {
        kind: 'requester',
        id: requester.id,
      });
      await tx.outbox.add([smsText(`${id}:reopened`, latest.id, sms.from, lang, reopenedSms(lang, String(latest.number)))]);
      return 'reopened';
    });
  } catch (err) {
    // Closed or reopened by someone else in the meantime.
    if (isAppError(err) && err.code === 'ILLEGAL_TRANSITION') return null;
    throw err;
  }
}

/**
 * A bare digit answers the survey of the requester's recently closed ticket, if one awaits a score;
 * null when none does (the digit is then an ordinary text).
 */
async function answerSurvey(deps: RequesterTextDeps, sms: RequesterSms, score: SurveyScore): Promise<RequesterOutcome | null> {
  const surveyed = await findSurveyTicket(deps.store, { phone: sms.from });
  if (!surveyed) return null;
  return withLockedTicket(deps.tickets, surveyed.id, async ({ tx, deps: bound }) => {
    const id = await tx.messages.record({ ...inboundMessage(sms), ticketId: surveyed.id, direction: 'in' });
    if (id === null) return 'duplicate';
    await recordSatisfaction(bound, surveyed.id, score, 'sms');
    return 'rated';
  });
}

function inboundMessage(sms: RequesterSms) {
  return { channel: 'sms' as const, externalId: sms.messageSid, sender: sms.from, recipient: sms.to, body: sms.text };
}

function languageOf(deps: RequesterTextDeps, requester: Requester): Language {
  return requester.language ?? deps.config.language;
}

/** An SMS sent verbatim by the notification worker (outbox kind `sms.text`). */
function smsText(key: string, ticketId: string | null, to: string, lang: Language, text: string): Notification {
  return { idempotencyKey: key, ticketId, kind: 'sms.text', channel: 'sms', recipient: to, language: lang, payload: { text } };
}

function reopenedSms(lang: Language, number: string): string {
  return lang === 'fr'
    ? `Support informatique : le ticket ${reference(number)} est rouvert. Répondez à ce SMS pour le compléter.`
    : `IT service desk: ticket ${reference(number)} is reopened. Reply to this text to add to it.`;
}

function nothingToReopenSms(lang: Language): string {
  return lang === 'fr'
    ? 'Support informatique : aucun ticket résolu à rouvrir. Décrivez votre problème par SMS pour en ouvrir un.'
    : 'IT service desk: no resolved ticket to reopen. Describe your problem in a text to open one.';
}

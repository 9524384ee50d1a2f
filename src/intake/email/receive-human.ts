import { findSurveyTicket, recordSatisfaction, type SurveyScore } from '../../tickets/satisfaction.js';
import { appendEmail } from './append-email.js';
import { openEmailTicket } from './open-email.js';
import { splitReply } from './quoted.js';
import { threadOf } from './receive-thread.js';
import type { EmailContext, ReceiveOutcome } from './receive-types.js';
import type { ThreadDecision } from './thread.js';

const MINUTE_MS = 60_000;

/**
 * A person's email: a redelivery changes nothing; a bare 1–5 answers the satisfaction survey; a
 * reply joins its ticket; anything else opens a ticket. Past a storm cap, the email is still kept
 * (on the sender's latest ticket) but opens nothing and tells nobody.
 */
export async function receiveHuman(ctx: EmailContext): Promise<ReceiveOutcome> {
  const decision = await threadOf(ctx);
  if (decision.action === 'ignore-duplicate') return { outcome: 'duplicate' };
  const survey = await answerSurvey(ctx, decision);
  if (survey) return survey;

  const { caps } = ctx.deps.settings;
  const repo = ctx.tickets.store.email;
  const sender = ctx.email.from?.address ?? null;
  const senderCapped =
    sender !== null && (await repo.countFrom(sender, ago(ctx.now, caps.senderWindowMinutes), ctx.tx)) >= caps.senderMessages;

  if (decision.action === 'new-ticket') {
    if (!senderCapped) {
      return openEmailTicket(ctx, {
        via: decision.reason,
        ...(decision.linkedTicketId ? { linkedTicketId: decision.linkedTicketId } : {}),
      });
    }
    const latest = await repo.latestTicketOf(sender, ctx.tx);
    ctx.deps.log.warn({ mailbox: ctx.mailbox.key, cap: caps.senderMessages }, 'a sender is over the storm cap: its email opens no ticket');
    if (!latest) return { outcome: 'dropped', reason: 'the sender is over the storm cap and has no ticket' };
    return appendEmail(ctx, {
      ticketId: latest.id,
      kind: 'reply',
      reopen: false,
      capped: true,
      via: 'storm cap: the sender’s latest ticket',
    });
  }

  const ticketCapped = (await repo.countOn(decision.ticketId, ago(ctx.now, caps.ticketWindowMinutes), ctx.tx)) >= caps.ticketMessages;
  if (senderCapped || ticketCapped) {
    ctx.deps.log.warn(
      { mailbox: ctx.mailbox.key, ticketId: decision.ticketId },
      'storm cap reached: the email is recorded, nobody is told',
    );
  }
  return appendEmail(ctx, {
    ticketId: decision.ticketId,
    kind: 'reply',
    reopen: decision.reopen,
    capped: senderCapped || ticketCapped,
    via: decision.reason,
  });
}

/**
 * "5", "4/5", "3 !": a digit alone is a survey answer; anything more is a message. Matched only on a
 * short trimmed text: over the whole text, `\s*(?:…)?\s*[.!]?\s*$` took 31 s on a "1" followed by
 * 4,000 spaces (cubic backtracking), and every person's email goes through here.
 */
const SCORE = /^([1-5])\s*(?:\/\s*5)?\s*[.!]?$/;
const MAX_SCORE_CHARS = 12;

/** The 1–5 an email's new text is, alone; null for anything else. */
export function surveyDigit(text: string): string | null {
  const reply = splitReply(text).reply.trim();
  return reply.length > MAX_SCORE_CHARS ? null : (SCORE.exec(reply)?.[1] ?? null);
}

/**
 * A bare 1–5 from someone whose ticket was closed lately and not yet rated is its rating (the
 * closing email asks for one), not a reply that reopens it, nor a new ticket.
 */
async function answerSurvey(
  ctx: EmailContext,
  decision: Exclude<ThreadDecision, { action: 'ignore-duplicate' }>,
): Promise<ReceiveOutcome | null> {
  const sender = ctx.email.from?.address;
  const digit = surveyDigit(ctx.email.text);
  if (!sender || !digit) return null;
  const ticket = await findSurveyTicket(ctx.tickets.store, { email: sender });
  if (!ticket) return null;
  if (decision.action === 'append' && decision.ticketId !== ticket.id) return null;
  const score = Number(digit) as SurveyScore;
  await ctx.tickets.store.tickets.lock(ticket.id, ctx.tx);
  const recorded = await ctx.tickets.store.messages.record(
    {
      ticketId: ticket.id,
      direction: 'in',
      channel: 'email',
      sender,
      recipient: ctx.email.to[0]?.address ?? null,
      subject: ctx.email.subject,
      body: digit,
      externalId: ctx.email.messageId,
      at: ctx.now,
    },
    ctx.tx,
  );
  if (recorded === null) return { outcome: 'duplicate' };
  await recordSatisfaction(ctx.tickets, ticket.id, score, 'email');
  return { outcome: 'satisfaction', ticketId: ticket.id, score };
}

/** `minutes` before `now`: where a storm cap's window starts. */
export function ago(now: Date, minutes: number): Date {
  return new Date(now.getTime() - minutes * MINUTE_MS);
}

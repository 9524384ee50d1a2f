import { numberKey, type EmailTicketRef, type OutboundEmail } from '../../store/email-repository.js';
import type { KnownMessageId } from '../../store/email-intake-repository.js';
import type { EmailClass } from './auto-reply.js';
import type { AppendEmail } from './append-email.js';
import type { EmailIntakeSettings } from './settings.js';
import type { SurveyScore } from '../../tickets/satisfaction.js';
import { SCORE_OF, surveyDigit } from './survey.js';
import { decideThread, lookedUpMessageIds, subjectTicketNumber, ticketByHeaders } from './thread.js';
import type { InboundEmail } from './types.js';

/**
 * What each email of a batch becomes: THE rules of the email intake, for one email or a backlog
 * alike (one email is a batch of one). The emails are weighed in UID order, as if stored one after
 * the other, against one look at the store for the whole batch (lookups.ts); what an email of the
 * batch would change for a later one is carried along (a sender's storm count, a ticket's count,
 * who opened a ticket, so that a reply to a request of the batch joins the ticket that request opens,
 * as it would a moment later). An email whose fate depends on what another email of the same batch
 * writes in ways the walk does not follow (a reply to an email that joined a ticket, a ticket two
 * emails change in ways that interact, the same Message-ID twice) is deferred, with the rest of its
 * conversation, to a following round of this same planner, which weighs it once the first round is
 * committed.
 *
 * A person's email: a redelivery changes nothing; a bare 1–5 answers the satisfaction survey; a
 * reply joins its ticket; anything else opens a ticket. Past a storm cap, the email is still kept
 * (on the sender's latest ticket) but opens nothing and tells nobody. Mail from machines is never
 * answered (RFC 3834 §2): an automatic reply is kept on the ticket it answers, a delivery report
 * marks the outbound email it is about. Nothing is dropped without a trace: what opens no ticket and
 * lands on none (our own mail coming back, a report naming nothing of ours, automatic or list mail
 * answering nothing, a storm past its cap) is filed as filtered mail with its reason, where a person
 * can still turn it into a ticket (GET /api/filtered).
 */

export interface WaitingEmail {
  uid: number;
  raw: Buffer;
  email: InboundEmail;
}

/** What one email becomes. */
export type Step =
  | { action: 'open'; via: string; linkedTicketId?: string }
  | { action: 'append'; item: AppendEmail }
  /** Joins the ticket that an earlier email of the round (`opener`, its UID) opens: written after it, in the same round. */
  | { action: 'append-new'; opener: number; item: Omit<AppendEmail, 'ticketId' | 'via'> }
  | { action: 'survey'; ticketId: string; digit: string; score: SurveyScore }
  /** A failure report naming emails of ours (anything else a report says is filtered). */
  | { action: 'bounce'; reason: string; outbound: OutboundEmail[] }
  | { action: 'duplicate' }
  | { action: 'filter'; code: FilterCode; reason: string };

/** Why an email is filed as filtered mail: a short code that stays, beside the words for a person. */
export type FilterCode = 'loop' | 'bounce' | 'automatic' | 'rate_limited';

export interface Planned {
  waiting: WaitingEmail;
  kind: EmailClass;
  step: Step;
  /** Its conversation in the batch (lanes.ts conversationGroups), by index. */
  conversation: number;
  /** The existing tickets it changes, or would change were it not deferred. */
  touches: string[];
}

/** What the store said, for the whole batch at once (lookups.ts). */
export interface Lookups {
  /** The batch's own Message-IDs that the store knows: redeliveries, our own mail. */
  known: ReadonlyMap<string, KnownMessageId>;
  /** Each email's class, by UID (classified knowing which Message-IDs we sent). */
  kinds: ReadonlyMap<number, EmailClass>;
  /** Referenced Message-ID → the ticket of that email. */
  byHeaders: ReadonlyMap<string, EmailTicketRef>;
  /** numberKey(number, sender) → the ticket, and whether the sender belongs to it. */
  bySubject: ReadonlyMap<string, EmailTicketRef & { senderIsRequesterOrWatcher: boolean }>;
  /** Lower-cased sender → inbound emails in the storm window. */
  fromSender: ReadonlyMap<string, number>;
  /** Ticket id → inbound emails in the per-ticket storm window. */
  onTicket: ReadonlyMap<string, number>;
  /** Lower-cased sender → its newest ticket, for the senders the batch may take past their cap. */
  newest: ReadonlyMap<string, EmailTicketRef>;
  /** A bounce's UID → our outbound emails it names. */
  outbound: ReadonlyMap<number, OutboundEmail[]>;
  /** Lower-cased sender of a bare 1–5 → the closed ticket it would rate. */
  surveys: ReadonlyMap<string, string>;
}

/** An email left for a following round, with the existing tickets it may change as far as the lookups tell. */
export interface Deferred {
  waiting: WaitingEmail;
  conversation: number;
  touches: string[];
}

export interface RoundPlan {
  /** Decided, in UID order. */
  taken: Planned[];
  /** Left for a following round, in UID order. */
  deferred: Deferred[];
}

/** How an email past its sender's storm cap found the ticket it is kept on. */
export const STORM_VIA = 'storm cap: the sender’s latest ticket';
/** Why an email past its sender's storm cap is filtered. */
export const OVER_CAP = 'the sender is over the storm cap and has no ticket';

/** A ticket's share of the round so far. */
interface OnTicket {
  /** Inbound emails counted for its storm cap: the store's, then the round's. */
  count: number;
  reopens: boolean;
  /** An email copying people in: they may become watchers, which changes who the others are to it. */
  copies: boolean;
  /** A survey answer or a bounce: stored alone on its ticket in a round. */
  exclusive: boolean;
}

type Settings = Pick<EmailIntakeSettings, 'caps' | 'reopenWindowDays'>;

/**
 * The round's plan: `emails` in UID order, each with its conversation (lanes.ts). The first email
 * is never deferred, so that every round stores at least one.
 */
export function planRound(
  emails: readonly { waiting: WaitingEmail; conversation: number }[],
  lookups: Lookups,
  settings: Settings,
  now: Date,
): RoundPlan {
  const walk = new Walk(lookups, settings, now);
  for (const { waiting, conversation } of emails) walk.weigh(waiting, conversation);
  return { taken: walk.taken, deferred: walk.deferred };
}

/** Where an email of the round went: the ticket it joins, the one it opens (its UID), or nowhere the walk follows. */
type Landing = { ticketId: string } | { opens: number } | null;

/** The walk's key for the ticket an email of the round opens (no id until it is written). */
const opened = (uid: number) => `new:${uid}`;

class Walk {
  readonly taken: Planned[] = [];
  readonly deferred: Deferred[] = [];
  /** Message-IDs of the round's emails so far, and where each went: a later one naming one of them follows it, or waits. */
  private readonly seen = new Map<string, Landing>();
  /** Our outbound emails a delivery report of the round already marks. */
  private readonly reported = new Set<string>();
  private readonly deferredConversations = new Set<number>();
  /** Tickets a deferred email may change: a later email changing them waits too, to keep their order. */
  private readonly tainted = new Set<string>();
  /** An email of the round opens a ticket (or may, deferred): a token naming no ticket may name it. */
  private mayHaveOpened = false;
  /** Senders (and Reply-Tos) whose requests open tickets in this round: past the cap, their newest ticket is one of those. */
  private readonly opening = new Set<string>();
  private readonly running: Map<string, number>;
  private readonly tickets = new Map<string, OnTicket>();

  constructor(
    private readonly lookups: Lookups,
    private readonly settings: Settings,
    private readonly now: Date,
  ) {
    this.running = new Map(lookups.fromSender);
  }

  weigh(waiting: WaitingEmail, conversation: number): void {
    const kind = this.lookups.kinds.get(waiting.uid) ?? { kind: 'human' };
    const decided = this.deferredConversations.has(conversation) ? 'defer' : this.decide(waiting, kind);
    if (decided === 'defer') this.defer({ waiting, conversation, touches: this.guessTouches(waiting) });
    else this.take({ waiting, kind, step: decided.step, conversation, touches: decided.touches });
  }

  /** The step, or 'defer' when it depends on what an earlier email of the round writes. */
  private decide(waiting: WaitingEmail, kind: EmailClass): { step: Step; touches: string[] } | 'defer' {
    const { email } = waiting;
    if (this.seen.has(email.messageId)) return 'defer';
    if (kind.kind === 'loop') return { step: { action: 'filter', code: 'loop', reason: kind.reason }, touches: [] };
    if (kind.kind === 'bounce') return this.bounce(waiting, kind);
    const known = this.lookups.known.get(email.messageId);
    if (known?.received || known?.sent) return { step: { action: 'duplicate' }, touches: [] };
    const inRound = this.threadInRound(email);
    if (inRound === 'defer') return 'defer';
    if (inRound !== null) return this.appendToOpened(waiting, kind, inRound.opens);
    const byHeaders = ticketByHeaders(email, this.lookups.byHeaders);
    const number = byHeaders === null ? subjectTicketNumber(email.subject) : null;
    // The subject token is checked against From only: Reply-To is the sender's own claim about where
    // answers go, and would let anyone name someone else's address.
    const named = number === null ? null : (this.lookups.bySubject.get(numberKey(number, email.from?.address ?? null)) ?? null);
    // A token naming no ticket yet: one this very round opens would change the answer.
    if (number !== null && named === null && this.mayHaveOpened) return 'defer';
    // Whether the sender belongs to the named ticket may have changed: someone copied in this round.
    if (named !== null && (this.tickets.get(named.id)?.copies || this.tainted.has(named.id))) return 'defer';
    const decision = decideThread(email, {
      seenMessageId: false,
      ticketByHeaders: byHeaders,
      ticketBySubject: named,
      reopenWindowDays: this.settings.reopenWindowDays,
      now: this.now,
    });
    if (decision.action === 'ignore-duplicate') return { step: { action: 'duplicate' }, touches: [] };

    if (kind.kind === 'auto-reply') {
      // Automatic, bulk or list mail threading to no open ticket: filed, never a ticket that would
      // acknowledge a machine (RFC 3834 §2) or a list.
      if (decision.action !== 'append') {
        return { step: { action: 'filter', code: 'automatic', reason: `${kind.reason}; it answers no open ticket` }, touches: [] };
      }
      return this.append(email, { ticketId: decision.ticketId, kind: 'auto-reply', reopen: false, capped: false, via: decision.reason });
    }

    // A bare 1–5 from someone whose ticket was closed lately and not yet rated is its rating (the
    // closing email asks for one), not a reply that reopens it, nor a new ticket.
    const sender = email.from?.address ?? null;
    const digit = surveyDigit(email.text);
    const score = digit === null ? undefined : SCORE_OF[digit];
    const rated = sender && digit ? (this.lookups.surveys.get(sender.toLowerCase()) ?? null) : null;
    if (digit !== null && score !== undefined && rated !== null && !(decision.action === 'append' && decision.ticketId !== rated)) {
      if (!this.alone(rated)) return 'defer';
      return { step: { action: 'survey', ticketId: rated, digit, score }, touches: [rated] };
    }

    const { caps } = this.settings;
    const from = sender?.toLowerCase() ?? null;
    const senderCapped = from !== null && (this.running.get(from) ?? 0) >= caps.senderMessages;
    if (decision.action === 'new-ticket') {
      if (!senderCapped) {
        return {
          step: { action: 'open', via: decision.reason, ...(decision.linkedTicketId ? { linkedTicketId: decision.linkedTicketId } : {}) },
          touches: [],
        };
      }
      // Past the sender's storm cap: kept on the sender's newest ticket, opening nothing, telling nobody.
      if (this.opening.has(from)) return 'defer';
      const newest = this.lookups.newest.get(from);
      if (!newest) return { step: { action: 'filter', code: 'rate_limited', reason: OVER_CAP }, touches: [] };
      return this.append(email, { ticketId: newest.id, kind: 'reply', reopen: false, capped: true, via: STORM_VIA });
    }
    return this.append(email, {
      ticketId: decision.ticketId,
      kind: 'reply',
      reopen: decision.reopen,
      capped: senderCapped,
      via: decision.reason,
    });
  }

  /**
   * Rule 2 (In-Reply-To, then References) against the round as well as the store: the first Message-ID
   * naming a ticket decides, as it would were the emails stored one after the other. An email of the
   * round that opens a ticket names that new ticket; one that joined a ticket or went nowhere yet
   * makes the reply wait for a following round (its ticket is that email's, written by then). Null:
   * nothing of the round comes first, the store's answer stands.
   */
  private threadInRound(email: InboundEmail): { opens: number } | 'defer' | null {
    for (const id of lookedUpMessageIds(email)) {
      const landing = this.seen.get(id);
      if (landing === undefined) {
        if (this.lookups.byHeaders.has(id)) return null;
        continue;
      }
      if (landing !== null && 'opens' in landing) return landing;
      for (const other of lookedUpMessageIds(email)) {
        const ticket = this.seen.get(other);
        if (ticket && 'ticketId' in ticket) this.tainted.add(ticket.ticketId);
      }
      return 'defer';
    }
    return null;
  }

  /**
   * A reply (or an automatic answer) to a request this round opens: the new ticket is open, so the
   * reply joins it without reopening, and no survey can be pending on it; the storm caps count as
   * for any ticket. Written after the ticket, in the same round.
   */
  private appendToOpened(waiting: WaitingEmail, kind: EmailClass, opener: number): { step: Step; touches: string[] } | 'defer' {
    const { email } = waiting;
    const from = email.from?.address.toLowerCase() ?? null;
    const senderCapped = kind.kind !== 'auto-reply' && from !== null && (this.running.get(from) ?? 0) >= this.settings.caps.senderMessages;
    const item: AppendEmail = {
      ticketId: opened(opener),
      kind: kind.kind === 'auto-reply' ? 'auto-reply' : 'reply',
      reopen: false,
      capped: senderCapped,
      via: '',
    };
    const joined = this.append(email, item);
    if (joined === 'defer' || joined.step.action !== 'append') return 'defer';
    const { kind: as, reopen, capped } = joined.step.item;
    return { step: { action: 'append-new', opener, item: { kind: as, reopen, capped } }, touches: [] };
  }

  /**
   * An email joining a ticket, unless another email of the round changes that ticket in a way that
   * interacts: several may join one ticket when none reopens it (the thread decision would change
   * after the first) and none copies people in (their roles would change). Past the ticket's storm
   * cap, in UID order, a reply is marked capped.
   */
  private append(email: InboundEmail, item: AppendEmail): { step: Step; touches: string[] } | 'defer' {
    const { ticketId } = item;
    if (this.tainted.has(ticketId)) return 'defer';
    const on = this.tickets.get(ticketId);
    const copies = email.cc.length > 0;
    if (on && (on.exclusive || on.reopens || on.copies || item.reopen || copies)) return 'defer';
    const count = on?.count ?? this.lookups.onTicket.get(ticketId) ?? 0;
    const capped = item.capped || (item.kind === 'reply' && count >= this.settings.caps.ticketMessages);
    return { step: { action: 'append', item: { ...item, capped } }, touches: [ticketId] };
  }

  /** A delivery report: the outbound emails it names, each once in a round, each ticket alone. */
  private bounce(waiting: WaitingEmail, kind: Extract<EmailClass, { kind: 'bounce' }>): { step: Step; touches: string[] } | 'defer' {
    const outbound = this.lookups.outbound.get(waiting.uid) ?? [];
    // A report about no email of ours, or one where nothing failed (a delay warning, a success
    // report, a read receipt), changes nothing here: filed, so that it is not lost either.
    if (outbound.length === 0 || !kind.failed) return { step: { action: 'filter', code: 'bounce', reason: kind.reason }, touches: [] };
    const touches = [...new Set(outbound.flatMap((o) => (o.ticketId === null ? [] : [o.ticketId])))];
    if (outbound.some((o) => this.reported.has(o.id))) return 'defer';
    if (!touches.every((ticketId) => this.alone(ticketId))) return 'defer';
    return { step: { action: 'bounce', reason: kind.reason, outbound }, touches };
  }

  /** Nothing of the round touches this ticket yet, nor may (deferred). */
  private alone(ticketId: string): boolean {
    return !this.tainted.has(ticketId) && !this.tickets.has(ticketId);
  }

  private take(planned: Planned): void {
    const { waiting, step } = planned;
    const { email } = waiting;
    this.taken.push(planned);
    this.seen.set(email.messageId, landingOf(waiting, step));
    if (step.action === 'bounce') for (const o of step.outbound) this.reported.add(o.id);
    const from = email.from?.address.toLowerCase() ?? null;
    if (step.action === 'open') {
      this.mayHaveOpened = true;
      for (const address of [from, email.replyTo?.address.toLowerCase()]) if (address) this.opening.add(address);
    }
    // What the store counts for the storm caps: every inbound email it keeps.
    const kept = step.action === 'open' || step.action === 'append' || step.action === 'append-new' || step.action === 'survey';
    if (kept && from !== null) this.running.set(from, (this.running.get(from) ?? 0) + 1);
    // A ticket the round opens counts like an existing one for the emails that follow it.
    const joined = step.action === 'open' ? [opened(waiting.uid)] : step.action === 'append-new' ? [opened(step.opener)] : planned.touches;
    for (const ticketId of joined) {
      const on = this.tickets.get(ticketId) ?? {
        count: this.lookups.onTicket.get(ticketId) ?? 0,
        reopens: false,
        copies: false,
        exclusive: false,
      };
      this.tickets.set(ticketId, {
        count: on.count + (kept ? 1 : 0),
        reopens: on.reopens || (step.action === 'append' && step.item.reopen),
        copies: on.copies || ((step.action === 'append' || step.action === 'append-new') && email.cc.length > 0),
        exclusive: on.exclusive || step.action === 'survey' || step.action === 'bounce',
      });
    }
  }

  private defer(planned: Deferred): void {
    this.deferred.push(planned);
    this.deferredConversations.add(planned.conversation);
    this.seen.set(planned.waiting.email.messageId, null);
    this.mayHaveOpened = true;
    for (const ticketId of planned.touches) this.tainted.add(ticketId);
  }

  /** The existing tickets an email may change, as far as the lookups tell (for one that is deferred). */
  private guessTouches(waiting: WaitingEmail): string[] {
    const { email, uid } = waiting;
    const from = email.from?.address.toLowerCase() ?? null;
    const number = subjectTicketNumber(email.subject);
    const ids = [
      ticketByHeaders(email, this.lookups.byHeaders)?.id,
      number === null ? undefined : this.lookups.bySubject.get(numberKey(number, email.from?.address ?? null))?.id,
      from === null ? undefined : this.lookups.newest.get(from)?.id,
      from === null ? undefined : this.lookups.surveys.get(from),
      ...(this.lookups.outbound.get(uid) ?? []).map((o) => o.ticketId ?? undefined),
    ];
    return [...new Set(ids.filter((id): id is string => id !== undefined))];
  }
}

function landingOf(waiting: WaitingEmail, step: Step): Landing {
  switch (step.action) {
    case 'append':
      return { ticketId: step.item.ticketId };
    case 'survey':
      return { ticketId: step.ticketId };
    case 'open':
      return { opens: waiting.uid };
    case 'append-new':
      return { opens: step.opener };
    default:
      return null;
  }
}

import type { Transaction } from 'sequelize';
import { numberKey, type EmailTicketRef } from '../../store/email-repository.js';
import { classifyEmail, type EmailClass } from './auto-reply.js';
import type { AppendEmail } from './append-email.js';
import { isOurs } from './receive.js';
import { ago } from './receive-human.js';
import type { ReceiveDeps } from './receive-types.js';
import { decideThread, lookedUpMessageIds, subjectTicketNumber, ticketByHeaders } from './thread.js';
import type { InboundEmail } from './types.js';

/**
 * What each email of a batch becomes, decided from one look at the store for the whole batch, by
 * the rules receiveEmail applies to one email (decideThread, the storm caps), in the order it would
 * apply them. An email whose fate depends on something the look cannot tell, another email of the
 * batch above all, sends its whole conversation back to the one-by-one path.
 */

export interface WaitingEmail {
  uid: number;
  raw: Buffer;
  email: InboundEmail;
}

/** What one email of the batch becomes. */
export type Step =
  { action: 'open'; via: string; linkedTicketId?: string } | { action: 'append'; item: AppendEmail } | { action: 'drop'; reason: string };

export interface Planned {
  waiting: WaitingEmail;
  kind: EmailClass;
  step: Step;
  /** The ticket its subject token named, whatever came of it (a stranger's token opens a new ticket). */
  named: string | null;
}

/** What the store said, for the whole batch at once. */
interface Lookups {
  /** Own Message-IDs already stored: redeliveries, our own mail. */
  known: Set<string>;
  /** Referenced Message-ID → the ticket of that email. */
  byHeaders: Map<string, EmailTicketRef>;
  /** numberKey(number, sender) → the ticket, and whether the sender belongs to it. */
  bySubject: Map<string, EmailTicketRef & { senderIsRequesterOrWatcher: boolean }>;
  /** Lower-cased sender → inbound emails in the storm window. */
  fromSender: Map<string, number>;
  /** Lower-cased sender → its newest ticket, for the senders the batch may take past their cap. */
  newest: Map<string, EmailTicketRef>;
}

const STORM_VIA = 'storm cap: the sender’s latest ticket';

export async function planBatch(
  deps: ReceiveDeps,
  conversations: readonly WaitingEmail[][],
  now: Date,
  tx: Transaction,
): Promise<{ taken: Planned[]; rest: WaitingEmail[][] }> {
  const repo = deps.tickets.store.email;
  const { caps } = deps.settings;
  const all = conversations.flat();
  const known = await repo.knownAmong(
    all.map((w) => w.email.messageId),
    tx,
  );
  const byHeaders = await repo.ticketsByMessageIds(
    all.flatMap((w) => lookedUpMessageIds(w.email)),
    tx,
  );
  const bySubject = await repo.ticketsByNumbers(
    all.flatMap(({ email }) => {
      const number = ticketByHeaders(email, byHeaders) === null ? subjectTicketNumber(email.subject) : null;
      return number === null ? [] : [{ number, address: email.from?.address ?? null }];
    }),
    tx,
  );
  const inBatch = perSender(all);
  const fromSender = await repo.countsFrom([...inBatch.keys()], ago(now, caps.senderWindowMinutes), tx);
  const nearCap = [...inBatch]
    .filter(([address, n]) => (fromSender.get(address) ?? 0) + n > caps.senderMessages)
    .map(([address]) => address);
  const newest = await repo.latestTicketsOf(nearCap, tx);

  const lookups: Lookups = { known, byHeaders, bySubject, fromSender, newest };
  const candidates: Planned[][] = [];
  const rest: WaitingEmail[][] = [];
  const running = new Map(fromSender);
  for (const conversation of conversations) {
    const planned = planConversation(deps, conversation, lookups, running, now);
    if (planned) candidates.push(planned);
    else rest.push([...conversation]);
  }
  const appended = candidates.flat().flatMap(({ step }) => (step.action === 'append' ? [step.item.ticketId] : []));
  const onTicket = await repo.countsOn(appended, ago(now, caps.ticketWindowMinutes), tx);
  const refused = ticketConflicts(candidates, onTicket, caps.ticketMessages);
  const taken: Planned[] = [];
  candidates.forEach((planned, i) => {
    if (refused.has(i)) rest.push(planned.map((p) => p.waiting));
    else taken.push(...planned);
  });
  return { taken, rest };
}

/**
 * A conversation's emails in UID order, as receiveEmail would take them one after the other; null
 * when one of them needs the one-by-one path. A sender's emails are all in one conversation
 * (lanes.ts), so `running`, its storm count, moves here as it would there.
 */
function planConversation(
  deps: ReceiveDeps,
  conversation: readonly WaitingEmail[],
  lookups: Lookups,
  running: Map<string, number>,
  now: Date,
): Planned[] | null {
  if (conversation.some((w) => lookups.known.has(w.email.messageId))) return null;
  const { caps } = deps.settings;
  const out: Planned[] = [];
  // Whose requests open tickets in this batch: past the cap, their newest ticket may be one of those.
  const opening = new Set<string>();
  for (const waiting of conversation) {
    const { email } = waiting;
    const kind = classOf(email, deps);
    const thread = threadStep(email, kind, lookups, deps.settings.reopenWindowDays, now);
    if (thread === null) return null;
    let { step } = thread;
    const from = email.from?.address.toLowerCase() ?? null;
    if (kind.kind === 'human' && from !== null && (running.get(from) ?? 0) >= caps.senderMessages) {
      // Past the sender's storm cap (receive-human.ts): kept on the sender's newest ticket, opening nothing, telling nobody.
      if (step.action === 'open') {
        if (opening.has(from)) return null;
        const newest = lookups.newest.get(from);
        step = newest
          ? { action: 'append', item: { ticketId: newest.id, kind: 'reply', reopen: false, capped: true, via: STORM_VIA } }
          : { action: 'drop', reason: 'the sender is over the storm cap and has no ticket' };
      } else if (step.action === 'append') {
        step = { action: 'append', item: { ...step.item, capped: true } };
      }
    }
    if (step.action === 'open') for (const address of [from, email.replyTo?.address.toLowerCase()]) if (address) opening.add(address);
    if (step.action !== 'drop' && from !== null) running.set(from, (running.get(from) ?? 0) + 1);
    out.push({ waiting, kind, step, named: thread.named });
  }
  return out;
}

/** decideThread from the batch's lookups, what the email's class makes of it, and the ticket a subject token named. */
function threadStep(
  email: InboundEmail,
  kind: EmailClass,
  lookups: Lookups,
  reopenWindowDays: number,
  now: Date,
): { step: Step; named: string | null } | null {
  if (kind.kind === 'loop') return { step: { action: 'drop', reason: kind.reason }, named: null };
  const byHeaders = ticketByHeaders(email, lookups.byHeaders);
  const number = byHeaders === null ? subjectTicketNumber(email.subject) : null;
  const named = number === null ? null : (lookups.bySubject.get(numberKey(number, email.from?.address ?? null)) ?? null);
  // A token naming no ticket yet: one this very batch opens would change the answer.
  if (number !== null && named === null) return null;
  const decision = decideThread(email, { seenMessageId: false, ticketByHeaders: byHeaders, ticketBySubject: named, reopenWindowDays, now });
  if (decision.action === 'ignore-duplicate') return null;
  const step = ((): Step => {
    if (kind.kind === 'auto-reply') {
      if (decision.action !== 'append') return { action: 'drop', reason: 'an automatic reply to no open ticket' };
      return {
        action: 'append',
        item: { ticketId: decision.ticketId, kind: 'auto-reply', reopen: false, capped: false, via: decision.reason },
      };
    }
    if (decision.action === 'new-ticket') {
      return { action: 'open', via: decision.reason, ...(decision.linkedTicketId ? { linkedTicketId: decision.linkedTicketId } : {}) };
    }
    return {
      action: 'append',
      item: { ticketId: decision.ticketId, kind: 'reply', reopen: decision.reopen, capped: false, via: decision.reason },
    };
  })();
  return { step, named: named?.id ?? null };
}

/**
 * The conversations (by index) that must go one by one because of a ticket they share with others
 * of the batch; the replies of the others that come past a ticket's storm cap are marked capped. Several emails may join one ticket in a batch when none reopens it (the thread
 * decision would change after the first) and none copies people in (their roles would change), and
 * the per-ticket storm cap is either out of reach or counted in one conversation, in UID order. An
 * email copying people in must be the only one to name its ticket by subject token: the token's
 * check of who belongs to the ticket would change after it.
 */
function ticketConflicts(candidates: readonly Planned[][], onTicket: Map<string, number>, ticketMessages: number): Set<number> {
  const byTicket = new Map<string, { conversation: number; planned: Planned }[]>();
  const naming = new Map<string, { conversation: number; planned: Planned }[]>();
  candidates.forEach((conversation, i) => {
    for (const planned of conversation) {
      const { step } = planned;
      if (step.action === 'append')
        byTicket.set(step.item.ticketId, [...(byTicket.get(step.item.ticketId) ?? []), { conversation: i, planned }]);
      if (planned.named !== null) naming.set(planned.named, [...(naming.get(planned.named) ?? []), { conversation: i, planned }]);
    }
  });
  const refused = new Set<number>();
  for (const [ticketId, entries] of byTicket) {
    const conversations = new Set(entries.map((e) => e.conversation));
    const copying = entries.filter((e) => e.planned.waiting.email.cc.length > 0);
    const reopens = entries.some((e) => e.planned.step.action === 'append' && e.planned.step.item.reopen);
    const count = onTicket.get(ticketId) ?? 0;
    const capReached = count + entries.length > ticketMessages;
    const namers = naming.get(ticketId) ?? [];
    const ok =
      (entries.length === 1 || (!reopens && copying.length === 0)) &&
      (!capReached || conversations.size === 1) &&
      (copying.length === 0 || namers.every((n) => n.planned === copying[0]?.planned));
    if (!ok) {
      for (const { conversation } of [...entries, ...namers]) refused.add(conversation);
      continue;
    }
    if (!capReached) continue;
    // One conversation, in UID order: the per-ticket cap as receiveEmail counts it.
    let seen = count;
    for (const { planned } of entries) {
      const { step } = planned;
      if (step.action === 'append' && step.item.kind === 'reply' && seen >= ticketMessages) step.item = { ...step.item, capped: true };
      seen++;
    }
  }
  return refused;
}

/** How the intake classifies an email whose own Message-ID the store does not know (planConversation checks that). */
export function classOf(email: InboundEmail, deps: Pick<ReceiveDeps, 'ourAddresses' | 'ourDomain'>): EmailClass {
  return classifyEmail(email, { ourAddresses: deps.ourAddresses, isOurMessageId: (id) => isOurs(deps, id) });
}

/** Inbound emails per sender (From, lower-cased, as the storm cap counts them). */
function perSender(emails: readonly WaitingEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { email } of emails) {
    const address = email.from?.address.toLowerCase();
    if (address) counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  return counts;
}

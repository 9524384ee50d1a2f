import type { Transaction } from 'sequelize';
import { numberKey, type EmailTicketRef } from '../../store/email-repository.js';
import { recordTickets } from '../../tickets/open-ticket.js';
import { joinTransaction } from '../ticket-transaction.js';
import { classifyEmail, type EmailClass } from './auto-reply.js';
import { appendEmails, type AppendItem } from './append-email.js';
import { emailTicketInput, mailboxCategory } from './open-email.js';
import { isOurs, logMachineMail } from './receive.js';
import { ago, surveyDigit } from './receive-human.js';
import type { MailboxRef, ReceiveDeps, ReceiveOutcome } from './receive-types.js';
import { decideThread, referencedMessageIds, subjectTicketNumber } from './thread.js';
import type { InboundEmail } from './types.js';

/**
 * A backlog's emails, stored together: after an outage the waiting mail is mostly people asking for
 * help, people answering their tickets and out-of-office replies, each touching a ticket nothing else
 * in the batch touches. Stored one by one, each costs a dozen statements and a commit; stored
 * together, the whole batch costs a couple of dozen statements and one commit. What each email
 * becomes is exactly what receiveEmail would make of it: the same rules (decideThread, the storm
 * caps), the same writes (recordTickets, appendEmails); anything whose fate depends on another email
 * of the batch, or on something only the one-by-one path weighs, is handed back to it.
 */

export interface WaitingEmail {
  uid: number;
  raw: Buffer;
  email: InboundEmail;
}

/**
 * Whether a conversation of the batch can, on its face, be stored with others: no Message-ID
 * repeated, none of its emails referring to another of the batch (a reply to a request in the same
 * backlog needs that request's ticket first), no survey answer, nothing left out to tell its sender
 * about, no delivery report. The store may still disagree (receiveBatch checks that).
 */
export function isBatchable(conversation: readonly InboundEmail[], deps: Pick<ReceiveDeps, 'ourAddresses' | 'ourDomain'>): boolean {
  const ids = new Set(conversation.map((email) => email.messageId));
  if (ids.size !== conversation.length) return false;
  return conversation.every(
    (email) =>
      email.omitted.length === 0 &&
      referencedMessageIds(email).every((id) => !ids.has(id)) &&
      surveyDigit(email.text) === null &&
      classOf(email, deps).kind !== 'bounce',
  );
}

export interface BatchOutcome {
  /** What became of each email taken, by UID. */
  outcomes: Map<number, ReceiveOutcome>;
  /** Conversations the store had a say in: for receiveEmail, one email at a time. */
  rest: WaitingEmail[][];
}

/** What one email of the batch becomes. */
type Step =
  | { action: 'open'; via: string; linkedTicketId?: string }
  | { action: 'append'; item: Omit<AppendItem, 'email' | 'class'> }
  | { action: 'drop'; reason: string };

/**
 * Stores every email of `conversations` (each batchable, see isBatchable) in ONE transaction with
 * their claims. A conversation is handed back untouched when the store has a say: a Message-ID of
 * its own already known (a redelivery, our own mail), a sender or a ticket at its storm cap, a
 * subject token naming no ticket, a ticket another email of the batch also goes to. All or nothing:
 * anything failing undoes the batch and throws, and the caller stores the emails one by one.
 */
export async function receiveBatch(
  deps: ReceiveDeps,
  place: { mailbox: MailboxRef; uidValidity: number },
  conversations: readonly WaitingEmail[][],
): Promise<BatchOutcome> {
  const { store } = deps.tickets;
  const now = new Date();
  let announce = () => {};
  const machine: { uid: number; kind: EmailClass; outcome: ReceiveOutcome }[] = [];
  const result = await store.transaction(async (tx) => {
    const { taken, rest } = await plan(deps, conversations, now, tx);
    const claimed = await store.mailboxes.claimMany(
      place.mailbox.key,
      place.uidValidity,
      taken.map(({ waiting }) => waiting.uid),
      tx,
    );
    const outcomes = new Map<number, ReceiveOutcome>();
    const mine = taken.filter(({ waiting }) => {
      if (!claimed.has(waiting.uid)) outcomes.set(waiting.uid, { outcome: 'skipped' });
      return claimed.has(waiting.uid);
    });
    if (mine.length === 0) return { outcomes, rest };
    const joined = joinTransaction(deps.tickets, tx);
    announce = joined.announce;

    // Appends first: they lock existing tickets, and locks are best taken before anything else.
    const appending = mine.flatMap(({ waiting, kind, step }) => (step.action === 'append' ? [{ waiting, item: { ...step.item, email: waiting.email, class: kind } }] : []));
    const appended = await appendEmails({ deps, tickets: joined.deps, tx, now }, appending.map((a) => a.item));
    appending.forEach(({ waiting }, i) => outcomes.set(waiting.uid, appended[i]!));

    const opening = mine.flatMap(({ waiting, step }) => (step.action === 'open' ? [{ waiting, step }] : []));
    if (opening.length > 0) {
      const category = await mailboxCategory(store, place.mailbox, tx);
      const recorded = await recordTickets(
        joined.deps,
        opening.map(({ waiting, step }) =>
          emailTicketInput(
            { deps, email: waiting.email, raw: waiting.raw, mailbox: place.mailbox, now },
            { via: step.via, category, ...(step.linkedTicketId ? { linkedTicketId: step.linkedTicketId } : {}) },
          ),
        ),
      );
      await store.email.addAttachmentsMany(
        opening.flatMap(({ waiting }, i) => {
          const { state, messageId } = recorded[i]!;
          return messageId === null ? [] : [{ ticketId: state.id, messageId, files: waiting.email.attachments }];
        }),
        tx,
      );
      opening.forEach(({ waiting }, i) => {
        const { state } = recorded[i]!;
        outcomes.set(waiting.uid, { outcome: 'ticket', ticketId: state.id, number: state.number });
      });
    }

    for (const { waiting, step } of mine) {
      if (step.action === 'drop') outcomes.set(waiting.uid, { outcome: 'dropped', reason: step.reason });
    }
    for (const { waiting, kind } of mine) machine.push({ uid: waiting.uid, kind, outcome: outcomes.get(waiting.uid)! });
    return { outcomes, rest };
  });
  announce();
  for (const { uid, kind, outcome } of machine) logMachineMail(deps, { mailbox: place.mailbox, uid }, kind, outcome);
  return result;
}

interface Planned {
  waiting: WaitingEmail;
  kind: EmailClass;
  step: Step;
}

/**
 * What each email becomes, from one look at the store for the whole batch (known Message-IDs, the
 * tickets referenced by headers and by subject tokens, the storm counts), and which conversations
 * must go one by one instead.
 */
async function plan(deps: ReceiveDeps, conversations: readonly WaitingEmail[][], now: Date, tx: Transaction) {
  const repo = deps.tickets.store.email;
  const { caps, reopenWindowDays } = deps.settings;
  const all = conversations.flat();
  const known = await repo.knownAmong(
    all.map((w) => w.email.messageId),
    tx,
  );
  const byHeaders = await repo.ticketsByMessageIds(
    all.flatMap((w) => referencedMessageIds(w.email).slice(0, 50)),
    tx,
  );
  const headerTicket = (email: InboundEmail): EmailTicketRef | null => {
    for (const id of referencedMessageIds(email).slice(0, 50)) {
      const ticket = byHeaders.get(id);
      if (ticket) return ticket;
    }
    return null;
  };
  // Only From: Reply-To is the sender's own claim about where answers go (see receive-thread.ts).
  const sender = (email: InboundEmail) => email.from?.address ?? null;
  const tokenOf = (email: InboundEmail) => (headerTicket(email) === null ? subjectTicketNumber(email.subject) : null);
  const bySubject = await repo.ticketsByNumbers(
    all.flatMap(({ email }) => {
      const number = tokenOf(email);
      return number === null ? [] : [{ number, address: sender(email) }];
    }),
    tx,
  );
  const counts = await repo.countsFrom(
    all.flatMap((w) => (w.email.from ? [w.email.from.address] : [])),
    ago(now, caps.senderWindowMinutes),
    tx,
  );

  const stepOf = (email: InboundEmail, kind: EmailClass): Step | null => {
    if (kind.kind === 'loop') return { action: 'drop', reason: kind.reason };
    const number = tokenOf(email);
    const named = number === null ? null : (bySubject.get(numberKey(number, sender(email))) ?? null);
    // A token naming no ticket yet: one opened earlier in this very batch would change the answer.
    if (number !== null && named === null) return null;
    const decision = decideThread(email, { seenMessageId: false, ticketByHeaders: headerTicket(email), ticketBySubject: named, reopenWindowDays, now });
    if (decision.action === 'ignore-duplicate') return null;
    if (kind.kind === 'auto-reply') {
      if (decision.action !== 'append') return { action: 'drop', reason: 'an automatic reply to no open ticket' };
      return { action: 'append', item: { ticketId: decision.ticketId, kind: 'auto-reply', reopen: false, capped: false, via: decision.reason } };
    }
    if (decision.action === 'new-ticket') {
      return { action: 'open', via: decision.reason, ...(decision.linkedTicketId ? { linkedTicketId: decision.linkedTicketId } : {}) };
    }
    return { action: 'append', item: { ticketId: decision.ticketId, kind: 'reply', reopen: decision.reopen, capped: false, via: decision.reason } };
  };

  const candidates: Planned[][] = [];
  const rest: WaitingEmail[][] = [];
  for (const conversation of conversations) {
    const fresh = conversation.every((w) => !known.has(w.email.messageId));
    const underCap = [...perSender(conversation)].every(([address, n]) => (counts.get(address) ?? 0) + n <= caps.senderMessages);
    const planned = conversation.map((waiting) => {
      const kind = classOf(waiting.email, deps);
      const step = stepOf(waiting.email, kind);
      return step && { waiting, kind, step };
    });
    if (fresh && underCap && planned.every((p) => p !== null)) candidates.push(planned as Planned[]);
    else rest.push([...conversation]);
  }

  // One email per ticket: a second one would be weighed against the ticket as the first left it.
  const targets = new Map<string, number>();
  for (const { step } of candidates.flat()) if (step.action === 'append') targets.set(step.item.ticketId, (targets.get(step.item.ticketId) ?? 0) + 1);
  const replied = candidates.flat().flatMap(({ step }) => (step.action === 'append' && step.item.kind === 'reply' ? [step.item.ticketId] : []));
  const onTicket = await repo.countsOn(replied, ago(now, caps.ticketWindowMinutes), tx);
  const taken: Planned[] = [];
  for (const planned of candidates) {
    const alone = planned.every(({ step }) => step.action !== 'append' || targets.get(step.item.ticketId) === 1);
    const quiet = planned.every(({ step }) => step.action !== 'append' || step.item.kind !== 'reply' || (onTicket.get(step.item.ticketId) ?? 0) < caps.ticketMessages);
    if (alone && quiet) taken.push(...planned);
    else rest.push(planned.map((p) => p.waiting));
  }
  return { taken, rest };
}

/** How the intake classifies an email whose own Message-ID the store does not know (plan checks that). */
function classOf(email: InboundEmail, deps: Pick<ReceiveDeps, 'ourAddresses' | 'ourDomain'>): EmailClass {
  return classifyEmail(email, { ourAddresses: deps.ourAddresses, isOurMessageId: (id) => isOurs(deps, id) });
}

/** Inbound emails per sender (From, lower-cased, as the storm cap counts them). */
function perSender(conversation: readonly WaitingEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { email } of conversation) {
    const address = email.from?.address.toLowerCase();
    if (address) counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  return counts;
}

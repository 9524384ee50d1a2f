import { recordTickets } from '../../tickets/open-ticket.js';
import { within } from '../../tickets/deps.js';
import type { EmailClass } from './auto-reply.js';
import { appendEmails } from './append-email.js';
import { classOf, planBatch, type WaitingEmail } from './batch-plan.js';
import { emailTicketInput, mailboxCategory } from './open-email.js';
import { logMachineMail } from './receive.js';
import { surveyDigit } from './receive-human.js';
import type { MailboxRef, ReceiveDeps, ReceiveOutcome } from './receive-types.js';
import { referencedMessageIds } from './thread.js';
import type { InboundEmail } from './types.js';

export type { WaitingEmail } from './batch-plan.js';

/**
 * A backlog's emails, stored together: after an outage the waiting mail is mostly people asking for
 * help, people answering their tickets and out-of-office replies, each touching a ticket nothing else
 * in the batch touches. Stored one by one, each costs a dozen statements and a commit; stored
 * together, the whole batch costs a couple of dozen statements and one commit. What each email
 * becomes is exactly what receiveEmail would make of it: the same rules (decideThread, the storm
 * caps), the same writes (recordTickets, appendEmails); anything whose fate depends on another email
 * of the batch, or on something only the one-by-one path weighs, is handed back to it.
 */

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

/**
 * Stores every email of `conversations` (each batchable, see isBatchable) in ONE transaction with
 * their claims, as planBatch decided. A conversation is handed back untouched when the store has a
 * say the plan cannot weigh (a Message-ID of its own already known, a subject token naming no
 * ticket, emails of the batch that would change each other's ticket; see batch-plan.ts). All or
 * nothing: anything failing undoes the batch and throws, and the caller stores the emails one by one.
 */
export async function receiveBatch(
  deps: ReceiveDeps,
  place: { mailbox: MailboxRef; uidValidity: number },
  conversations: readonly WaitingEmail[][],
): Promise<BatchOutcome> {
  const { store } = deps.tickets;
  const now = new Date();
  const logged: { uid: number; kind: EmailClass; outcome: ReceiveOutcome }[] = [];
  const result = await store.transaction(async (tx) => {
    const planned = await planBatch(deps, conversations, now, tx);
    const { rest } = planned;
    // In UID order: emails to one ticket act on it as they would one after the other.
    const taken = planned.taken.sort((a, b) => a.waiting.uid - b.waiting.uid);
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
    const joined = { deps: within(deps.tickets, tx) };

    // Appends first: they lock existing tickets, and locks are best taken before anything else.
    const appending = mine.flatMap(({ waiting, kind, step }) =>
      step.action === 'append' ? [{ waiting, item: { ...step.item, email: waiting.email, class: kind } }] : [],
    );
    const appended = await appendEmails(
      { deps, tickets: joined.deps, tx, now },
      appending.map((a) => a.item),
    );
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
    for (const { waiting, kind } of mine) logged.push({ uid: waiting.uid, kind, outcome: outcomes.get(waiting.uid)! });
    return { outcomes, rest };
  });
  for (const { uid, kind, outcome } of logged) {
    logMachineMail(deps, { mailbox: place.mailbox, uid }, kind, outcome);
    if (outcome.outcome === 'reply' && outcome.capped) {
      deps.log.warn(
        { mailbox: place.mailbox.key, uid, ticketId: outcome.ticketId },
        'storm cap reached: the email is recorded, nobody is told',
      );
    }
  }
  return result;
}

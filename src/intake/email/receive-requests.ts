import { recordTickets } from '../../tickets/open-ticket.js';
import { joinTransaction } from '../ticket-transaction.js';
import { classifyEmail } from './auto-reply.js';
import { emailTicketInput, mailboxCategory } from './open-email.js';
import { isOurs } from './receive.js';
import { ago, surveyDigit } from './receive-human.js';
import type { MailboxRef, ReceiveDeps, ReceiveOutcome } from './receive-types.js';
import { referencedMessageIds, subjectTicketNumber } from './thread.js';
import type { InboundEmail } from './types.js';

/**
 * A backlog's new requests, stored together: after an outage most of the waiting mail is people
 * asking for help, each opening a ticket that nothing else in the batch touches. Stored one by one,
 * each costs a dozen statements and a commit; stored together, the batch costs a dozen statements
 * and one commit (recordTickets). What each email becomes is exactly what receiveEmail would make
 * of it; anything that needs a look at the store first goes the one-by-one way.
 */

export interface WaitingEmail {
  uid: number;
  raw: Buffer;
  email: InboundEmail;
}

/**
 * Whether a conversation of the batch, on its face, can only open tickets: every email from a
 * person, naming no ticket, not a survey answer, with nothing left out to tell its sender about,
 * and none referring to another email of the batch or repeating one. The store may still disagree
 * (a Message-ID, its own or one it refers to, is known; a sender is near the storm cap):
 * receiveRequests checks that.
 */
export function isPlainConversation(conversation: readonly InboundEmail[], deps: Pick<ReceiveDeps, 'ourAddresses' | 'ourDomain'>): boolean {
  const ids = new Set(conversation.map((email) => email.messageId));
  if (ids.size !== conversation.length) return false;
  return conversation.every(
    (email) =>
      subjectTicketNumber(email.subject) === null &&
      email.omitted.length === 0 &&
      referencedMessageIds(email).every((id) => !ids.has(id)) &&
      surveyDigit(email.text) === null &&
      classifyEmail(email, { ourAddresses: deps.ourAddresses, isOurMessageId: (id) => isOurs(deps, id) }).kind === 'human',
  );
}

export interface RequestsOutcome {
  /** What became of each email taken, by UID. */
  outcomes: Map<number, ReceiveOutcome>;
  /** Conversations the store had a say in (a Message-ID known, a sender near the cap): for receiveEmail. */
  rest: WaitingEmail[][];
}

/**
 * Opens a ticket for every email of `conversations` (each plain, see isPlainConversation) in ONE
 * transaction with their claims. A conversation with a Message-ID the store knows (its own or one it
 * refers to), or whose sender would reach the storm cap, is handed back untouched. All or nothing:
 * anything failing undoes the batch and throws, and the caller stores the emails one by one.
 */
export async function receiveRequests(
  deps: ReceiveDeps,
  place: { mailbox: MailboxRef; uidValidity: number },
  conversations: readonly WaitingEmail[][],
): Promise<RequestsOutcome> {
  const { store } = deps.tickets;
  const { caps } = deps.settings;
  const now = new Date();
  let announce = () => {};
  const outcome = await store.transaction(async (tx) => {
    const all = conversations.flat();
    // Known: a redelivery, our own mail back, or a reply to a ticket's email; each for receiveEmail.
    const known = await store.email.knownAmong(all.flatMap((w) => idsOf(w.email)), tx);
    const senders = all.flatMap((w) => (w.email.from ? [w.email.from.address] : []));
    const counts = await store.email.countsFrom(senders, ago(now, caps.senderWindowMinutes), tx);
    const taken: WaitingEmail[] = [];
    const rest: WaitingEmail[][] = [];
    for (const conversation of conversations) {
      const fresh = conversation.every((w) => idsOf(w.email).every((id) => !known.has(id)));
      const underCap = [...perSender(conversation)].every(([sender, n]) => (counts.get(sender) ?? 0) + n <= caps.senderMessages);
      if (fresh && underCap) taken.push(...conversation);
      else rest.push(conversation);
    }
    const claimed = await store.mailboxes.claimMany(place.mailbox.key, place.uidValidity, taken.map((w) => w.uid), tx);
    const opening = taken.filter((w) => claimed.has(w.uid));
    const outcomes = new Map<number, ReceiveOutcome>(taken.filter((w) => !claimed.has(w.uid)).map((w) => [w.uid, { outcome: 'skipped' }]));
    if (opening.length === 0) return { outcomes, rest };

    const category = await mailboxCategory(store, place.mailbox, tx);
    const joined = joinTransaction(deps.tickets, tx);
    announce = joined.announce;
    const recorded = await recordTickets(
      joined.deps,
      opening.map((w) =>
        emailTicketInput({ deps, email: w.email, raw: w.raw, mailbox: place.mailbox, now }, { via: 'no reference to a known ticket', category }),
      ),
    );
    await store.email.addAttachmentsMany(
      opening.flatMap((w, i) => {
        const { state, messageId } = recorded[i]!;
        return messageId === null ? [] : [{ ticketId: state.id, messageId, files: w.email.attachments }];
      }),
      tx,
    );
    opening.forEach((w, i) => {
      const { state } = recorded[i]!;
      outcomes.set(w.uid, { outcome: 'ticket', ticketId: state.id, number: state.number });
    });
    return { outcomes, rest };
  });
  announce();
  return outcome;
}

/** Its own Message-ID and the ones it refers to. */
function idsOf(email: InboundEmail): string[] {
  return [email.messageId, ...referencedMessageIds(email)];
}

/** Inbound emails per sender (From, lower-cased, as the storm cap counts them). */
function perSender(conversation: readonly WaitingEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { email } of conversation) {
    const sender = email.from?.address.toLowerCase();
    if (sender) counts.set(sender, (counts.get(sender) ?? 0) + 1);
  }
  return counts;
}

import type { Store } from '../../store/index.js';
import { changeTickets } from '../../tickets/apply-change.js';
import { within } from '../../tickets/deps.js';
import { recordTickets } from '../../tickets/open-ticket.js';
import { recordSatisfaction } from '../../tickets/satisfaction.js';
import { appendEmails, tellOmitted, type AppendScope } from './append-email.js';
import { emailTicketInput, mailboxCategory } from './open-email.js';
import { openEmailRequests, sentToRequestAddress } from './open-request.js';
import type { Planned } from './plan.js';
import type { MailboxRef, Place, ReceiveDeps, ReceiveOutcome } from './receive-types.js';
import { matchedByHeaders } from './thread.js';

/**
 * Writes what planRound decided for a round's emails, inside the round's transaction, a statement
 * per step for all of them: the replies and automatic answers on their tickets, the delivery reports
 * on our outbound emails, the survey answers, then the new tickets and the replies of the round that
 * follow them, and the filtered mail. Outcomes by UID.
 *
 * Each email is recorded at its own millisecond, in UID order and after every email recorded before
 * by this mail role (deps.moments), so that a ticket's messages read back in the order they came however
 * many arrive in one round, and a later round's after an earlier one's.
 */
export async function writeRound(
  deps: ReceiveDeps,
  tx: Store,
  place: Place,
  planned: readonly Planned[],
  now: Date,
): Promise<Map<number, ReceiveOutcome>> {
  const { mailbox } = place;
  const tickets = within(deps.tickets, tx);
  const scope: AppendScope = { deps, tx, tickets };
  const outcomes = new Map<number, ReceiveOutcome>();
  const start = deps.moments.take(planned.length, now);
  const at = new Map(planned.map(({ waiting }, i) => [waiting.uid, new Date(start + i)]));
  const atOf = (uid: number) => at.get(uid) ?? now;

  const appending = planned.flatMap(({ waiting, kind, step }) =>
    step.action === 'append' ? [{ waiting, item: { ...step.item, email: waiting.email, class: kind, at: atOf(waiting.uid) } }] : [],
  );
  // A new email to the request address opens a service request instead of an incident (#17).
  const toRequests = (email: Planned['waiting']['email']) => sentToRequestAddress(email, deps.requestAddress);
  const opening = planned.flatMap(({ waiting, step }) => (step.action === 'open' && !toRequests(waiting.email) ? [{ waiting, step }] : []));
  const requesting = planned.flatMap(({ waiting, step }) =>
    step.action === 'open' && toRequests(waiting.email) ? [{ waiting, step }] : [],
  );
  // Appends first: they lock existing tickets, and locks are best taken before anything else.
  const appended = await appendEmails(
    scope,
    appending.map((a) => a.item),
  );
  const opened = await openTickets(scope, mailbox, opening, atOf);
  const requested = await openEmailRequests(scope, mailbox, requesting, atOf);
  appending.forEach(({ waiting }, i) => outcomes.set(waiting.uid, appended[i] ?? { outcome: 'duplicate' }));
  opening.forEach(({ waiting }, i) => outcomes.set(waiting.uid, opened[i] ?? { outcome: 'duplicate' }));
  requesting.forEach(({ waiting }, i) => outcomes.set(waiting.uid, requested[i] ?? { outcome: 'duplicate' }));
  // Then the replies to those requests, on the tickets just written (this transaction's own rows).
  const following = planned.flatMap(({ waiting, kind, step }) => {
    if (step.action !== 'append-new') return [];
    const ticket = outcomes.get(step.opener);
    if (ticket?.outcome !== 'ticket') throw new Error('an email follows a request of its round that opened no ticket');
    const item = { ...step.item, ticketId: ticket.ticketId, via: matchedByHeaders(ticket.number) };
    return [{ waiting, item: { ...item, email: waiting.email, class: kind, at: atOf(waiting.uid) } }];
  });
  const followed = await appendEmails(
    scope,
    following.map((f) => f.item),
  );
  following.forEach(({ waiting }, i) => outcomes.set(waiting.uid, followed[i] ?? { outcome: 'duplicate' }));

  for (const { waiting, step } of planned) {
    if (step.action === 'bounce') outcomes.set(waiting.uid, await recordBounce(scope, step));
    if (step.action === 'survey') outcomes.set(waiting.uid, await recordSurvey(scope, waiting.email, step, atOf(waiting.uid)));
  }

  const filtering = planned.flatMap(({ waiting, step }) => (step.action === 'filter' ? [{ waiting, step }] : []));
  await fileFiltered(scope, place, filtering, atOf);
  for (const { waiting, step } of filtering) outcomes.set(waiting.uid, { outcome: 'filtered', reason: step.code });
  for (const { waiting, step } of planned) {
    if (step.action === 'duplicate') outcomes.set(waiting.uid, { outcome: 'duplicate' });
  }
  return outcomes;
}

/**
 * Mail that opens no ticket and lands on none, filed with its reason and its raw bytes (so that a
 * person who turns it into a ticket gets the very ticket it would have opened), and with what that
 * ticket would take from the mailbox and the desk as they are now. A redelivery adds nothing.
 */
async function fileFiltered(
  scope: AppendScope,
  { kind, mailbox }: Place,
  filtering: readonly { waiting: Planned['waiting']; step: Extract<Planned['step'], { action: 'filter' }> }[],
  atOf: (uid: number) => Date,
): Promise<void> {
  if (filtering.length === 0) return;
  await scope.tx.filteredMail.addMany(
    filtering.map(({ waiting, step }) => ({
      mailbox: mailbox.key,
      // Pushed mail's numbers are only its order of arrival, not a place in a mailbox.
      uid: kind === 'pushed' ? null : waiting.uid,
      messageId: `<${waiting.email.messageId}>`,
      sender: waiting.email.from?.address ?? null,
      subject: waiting.email.subject.slice(0, 1_000),
      reasonCode: step.code,
      reason: step.reason.slice(0, 2_000),
      receivedAt: atOf(waiting.uid),
      raw: waiting.raw,
      category: mailbox.category,
      urgency: mailbox.urgency,
      deskAddresses: scope.deps.ourAddresses,
    })),
  );
}

/** New tickets from emails: the tickets with their first messages, the files, what was left out. Outcomes in order. */
async function openTickets(
  scope: AppendScope,
  mailbox: MailboxRef,
  opening: readonly { waiting: Planned['waiting']; step: Extract<Planned['step'], { action: 'open' }> }[],
  atOf: (uid: number) => Date,
): Promise<ReceiveOutcome[]> {
  if (opening.length === 0) return [];
  const { deps, tx, tickets } = scope;
  const category = await mailboxCategory(tx, mailbox);
  const recorded = await recordTickets(
    tickets,
    opening.map(({ waiting, step }) =>
      emailTicketInput(
        { deps, email: waiting.email, raw: waiting.raw, mailbox, now: atOf(waiting.uid) },
        { via: step.via, category, ...(step.linkedTicketId ? { linkedTicketId: step.linkedTicketId } : {}) },
      ),
    ),
  );
  await tx.email.addAttachmentsMany(
    opening.flatMap(({ waiting }, i) => {
      const { state, messageId } = recorded[i]!;
      return messageId === null ? [] : [{ ticketId: state.id, messageId, files: waiting.email.attachments }];
    }),
  );
  const outcomes: ReceiveOutcome[] = [];
  for (const [i, { waiting }] of opening.entries()) {
    const { state, messageId } = recorded[i]!;
    // Written in this very transaction, so nobody else can see it yet: no lock needed.
    if (messageId !== null) await tellOmitted({ ...scope, email: waiting.email }, state, messageId);
    outcomes.push({ outcome: 'ticket', ticketId: state.id, number: state.number });
  }
  return outcomes;
}

/**
 * A bounce (RFC 3464 DSN, or a mailer-daemon's free text): the outbound emails it names are marked
 * failed, with the report's words as their error, and their tickets get a `notification_bounced`
 * event; the address suppression then keeps the desk from writing there again for a while. Delay
 * warnings, success reports and read receipts change nothing: planRound files them as filtered mail.
 * The same report delivered twice adds nothing.
 */
async function recordBounce(scope: AppendScope, step: Extract<Planned['step'], { action: 'bounce' }>): Promise<ReceiveOutcome> {
  const matched = step.outbound.length;
  const failing = step.outbound.filter((message) => message.status !== 'failed');
  for (const message of failing) await scope.tx.email.markFailed(message.id, step.reason);
  await changeTickets(
    scope.tickets,
    failing.flatMap((message) =>
      message.ticketId === null
        ? []
        : [
            {
              ticketId: message.ticketId,
              actor: 'system:email',
              decide: () => ({
                changes: {},
                events: [
                  {
                    type: 'notification_bounced',
                    data: { messageId: message.externalId, recipient: message.recipient, reason: step.reason },
                  },
                ],
              }),
            },
          ],
    ),
  );
  return { outcome: 'bounce', matched };
}

/** A bare 1–5 rates the ticket planRound found; the digit is kept as the message. */
async function recordSurvey(
  scope: AppendScope,
  email: Planned['waiting']['email'],
  step: Extract<Planned['step'], { action: 'survey' }>,
  at: Date,
): Promise<ReceiveOutcome> {
  const { tx } = scope;
  await tx.tickets.lock(step.ticketId);
  const recorded = await tx.messages.record({
    ticketId: step.ticketId,
    direction: 'in',
    channel: 'email',
    sender: email.from?.address ?? null,
    recipient: email.to[0]?.address ?? null,
    subject: email.subject,
    body: step.digit,
    externalId: email.messageId,
    at,
  });
  if (recorded === null) return { outcome: 'duplicate' };
  await recordSatisfaction(scope.tickets, step.ticketId, step.score, 'email');
  return { outcome: 'satisfaction', ticketId: step.ticketId, score: step.score };
}

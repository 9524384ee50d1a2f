import { isOwnMessageId } from '../../mail/message-id.js';
import type { OutboundEmail } from '../../store/email-repository.js';
import type { Store } from '../../store/index.js';
import { findSurveyTicket } from '../../tickets/satisfaction.js';
import { classifyEmail, type EmailClass } from './auto-reply.js';
import type { Lookups, WaitingEmail } from './plan.js';
import type { ReceiveDeps } from './receive-types.js';
import { surveyDigit } from './survey.js';
import { lookedUpMessageIds, subjectTicketNumber, ticketByHeaders } from './thread.js';

const MINUTE_MS = 60_000;
/** A delivery report names at most this many of our emails. */
const REPORTED = 50;

/**
 * Everything planRound weighs, for a whole round of emails, in a handful of statements on the
 * round's transaction (a reply racing its own redelivery through a second mailbox then sees the
 * first one's rows): one look per rule, whatever the number of emails.
 */
export async function loadLookups(
  tx: Store,
  deps: Pick<ReceiveDeps, 'settings' | 'ourAddresses' | 'ourDomain'>,
  emails: readonly WaitingEmail[],
  now: Date,
): Promise<Lookups> {
  const { caps } = deps.settings;
  // One after the other: they share the transaction's connection, and pg (from 9.0 on) refuses a
  // second query on a client still busy with one.
  const senders = perSender(emails);
  const known = await tx.emailIntake.knownMessageIds(emails.map((w) => w.email.messageId));
  const byHeaders = await tx.email.ticketsByMessageIds(emails.flatMap((w) => lookedUpMessageIds(w.email)));
  const fromSender = await tx.email.countsFrom([...senders.keys()], ago(now, caps.senderWindowMinutes));
  const kinds = new Map<number, EmailClass>();
  for (const { uid, email } of emails) {
    kinds.set(
      uid,
      classifyEmail(email, {
        ourAddresses: deps.ourAddresses,
        isOurMessageId: (id) => id === email.messageId && (known.get(id)?.sent === true || isOwnMessageId(id, deps.ourDomain)),
      }),
    );
  }
  const outbound = await reportedOutbound(tx, kinds);
  const people = emails.filter(({ uid, email }) => {
    const kind = kinds.get(uid)?.kind;
    const seen = known.get(email.messageId);
    return (kind === 'human' || kind === 'auto-reply') && !seen?.received && !seen?.sent;
  });
  const humans = people.filter(({ uid }) => kinds.get(uid)?.kind === 'human');
  const nearCap = [...perSender(humans)]
    .filter(([address, n]) => (fromSender.get(address) ?? 0) + n > caps.senderMessages)
    .map(([address]) => address);
  const surveyed = [
    ...new Set(humans.flatMap(({ email }) => (surveyDigit(email.text) === null ? [] : [email.from?.address.toLowerCase() ?? '']))),
  ];
  const bySubject = await tx.email.ticketsByNumbers(
    people.flatMap(({ email }) => {
      const number = ticketByHeaders(email, byHeaders) === null ? subjectTicketNumber(email.subject) : null;
      return number === null ? [] : [{ number, address: email.from?.address ?? null }];
    }),
  );
  const newest = await tx.email.latestTicketsOf(nearCap);
  const surveys = await surveyTickets(
    tx,
    surveyed.filter((sender) => sender !== ''),
  );

  const candidates = [
    ...[...byHeaders.values()].map((t) => t.id),
    ...[...bySubject.values()].map((t) => t.id),
    ...[...newest.values()].map((t) => t.id),
  ];
  const onTicket = await tx.email.countsOn([...new Set(candidates)], ago(now, caps.ticketWindowMinutes));
  return { known, kinds, byHeaders, bySubject, fromSender, onTicket, newest, outbound, surveys };
}

/** Lower-cased sender → the closed ticket a bare 1–5 from them would rate, for those who have one. */
async function surveyTickets(tx: Store, senders: readonly string[]): Promise<Map<string, string>> {
  const surveys = new Map<string, string>();
  for (const sender of senders) {
    const ticket = await findSurveyTicket(tx, { email: sender });
    if (ticket) surveys.set(sender, ticket.id);
  }
  return surveys;
}

/** Each delivery report's outbound emails, in the order the report names them. */
async function reportedOutbound(tx: Store, kinds: ReadonlyMap<number, EmailClass>): Promise<Map<number, OutboundEmail[]>> {
  const reports = [...kinds].flatMap(([uid, kind]) =>
    kind.kind === 'bounce' ? [{ uid, ids: kind.originalMessageIds.slice(0, REPORTED) }] : [],
  );
  const found = await tx.emailIntake.outboundAmong(reports.flatMap((r) => r.ids));
  const byId = new Map<string, OutboundEmail>();
  for (const row of found) byId.set(bare(row.externalId), row);
  return new Map(reports.map(({ uid, ids }) => [uid, [...new Set(ids)].flatMap((id) => byId.get(bare(id)) ?? [])]));
}

const bare = (id: string) => (id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id);

/** Inbound emails per sender (From, lower-cased, as the storm cap counts them). */
function perSender(emails: readonly WaitingEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { email } of emails) {
    const address = email.from?.address.toLowerCase();
    if (address) counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  return counts;
}

/** `minutes` before `now`: where a storm cap's window starts. */
function ago(now: Date, minutes: number): Date {
  return new Date(now.getTime() - minutes * MINUTE_MS);
}

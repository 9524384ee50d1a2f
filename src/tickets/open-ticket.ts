import type { Channel, Language, Level, TicketType } from '../domain/values.js';
import { AppError } from '../errors.js';
import { isAbout, relevantOutages } from '../rules/outage-relevance.js';
import type { NewMessage } from '../store/message-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import type { TicketDeps } from './deps.js';
import type { NotificationKind } from './recipients.js';
import { notificationRows, tellListeners } from './write-change.js';
import type { Ticket, Watcher } from '../domain/ticket.js';

export interface OpenTicketInput {
  channel: Channel;
  subject: string;
  description: string;
  requester: { name?: string | null; email?: string | null; phone?: string | null; language?: Language | null };
  impact?: Level;
  urgency?: Level;
  category?: string | null;
  /** A channel's word on urgency: the IVR's urgent option, an urgent@ mailbox, X-Priority. */
  urgencyHint?: Level;
  watchers?: Watcher[];
  /** The inbound message the ticket comes from, recorded once by its external id. */
  message?: Omit<NewMessage, 'ticketId' | 'direction' | 'channel'>;
  linkedTicketId?: string;
  /** Extra facts for the creation event: the recording of a call, an outage. */
  details?: Record<string, unknown>;
  /**
   * A service request (#17): `awaiting_approval` until its approvers answer (no SLA clock, not
   * routed), or `new` with the requests' own SLA targets; a child task names its request.
   */
  request?: { status: 'awaiting_approval' | 'new'; parentId?: string };
  /** What the creation owes: the requester's acknowledgement unless said otherwise (a child task owes none). */
  notify?: NotificationKind[];
  /** Extra facts for the acknowledgement's template (a request's item, its waiting for approval). */
  acknowledgement?: Record<string, unknown>;
}

/** Who links a new ticket to the ongoing outage it is about (rules/outage-relevance.ts isAbout). */
const OUTAGE_MATCH_ACTOR = 'system:outages';

/**
 * How many published articles a new ticket's acknowledgement suggests, by its channel: three in an
 * email, the best one in the SMS of a call or a text (one segment), none to the desk's own web form.
 */
const SUGGESTIONS: Record<Channel, number> = { email: 3, voice: 1, sms: 1, web: 0 };

export type OpenTicketResult = { ticket: Ticket; created: true } | { ticket: Ticket | null; created: false };

/**
 * The new ticket as written, with its message's row id when it came with one; or, when its message
 * was recorded before, the ticket it went to.
 */
export type RecordedTicket = { state: TicketState; messageId: string | null; created: true } | { ticketId: string | null; created: false };

/**
 * A ticket is born: find or create its requester, weigh its impact and urgency, start its SLA
 * clock, tell the requester its number, and hand it to routing, all or nothing. Returns the
 * ticket as the API shows it.
 */
export async function openTicket(deps: TicketDeps, input: OpenTicketInput): Promise<OpenTicketResult> {
  // A redelivered webhook is answered without writing anything, so it takes no ticket number
  // (recordTicket would find out too, but only after taking one).
  if (input.message) {
    const seen = await deps.store.messages.ticketIdOf(input.channel, input.message.externalId);
    if (seen !== undefined) return { ticket: seen ? await deps.store.tickets.get(seen) : null, created: false };
  }
  const recorded = await recordTicket(deps, input);
  if (!recorded.created) return { ticket: recorded.ticketId ? await deps.store.tickets.get(recorded.ticketId) : null, created: false };
  const ticket = await deps.store.tickets.get(recorded.state.id);
  if (!ticket) throw new AppError('INTERNAL', 'the new ticket vanished');
  return { ticket, created: true };
}

/**
 * openTicket without its look for a redelivery first and without reading the ticket back: for an
 * intake that has looked already, in its own transaction, and needs only the ticket's id and
 * number.
 */
export async function recordTicket(deps: TicketDeps, input: OpenTicketInput): Promise<RecordedTicket> {
  try {
    const [recorded] = await recordTickets(deps, [input]);
    if (!recorded) throw new AppError('INTERNAL', 'the new ticket was not written');
    return { ...recorded, created: true };
  } catch (err) {
    if (!(err instanceof AlreadyRecorded)) throw err;
    const existing = input.message ? await deps.store.messages.ticketIdOf(input.channel, input.message.externalId) : undefined;
    return { ticketId: existing ?? null, created: false };
  }
}

/** Thrown by recordTickets, having written nothing, when one of the inputs' messages was recorded before. */
export class AlreadyRecorded extends Error {
  constructor() {
    super('a message of these tickets was recorded before');
    this.name = 'AlreadyRecorded';
  }
}

/**
 * Many tickets born at once, as openTicket would make them one after the other, in one transaction
 * and a handful of statements whatever their number (a backlog of emails after an outage). All or
 * nothing: when a message was recorded before (a redelivery), it throws AlreadyRecorded.
 */
export async function recordTickets(
  deps: TicketDeps,
  inputs: readonly OpenTicketInput[],
): Promise<{ state: TicketState; messageId: string | null }[]> {
  if (inputs.length === 0) return [];
  const now = deps.now?.() ?? new Date();
  for (const category of new Set(inputs.flatMap((i) => (i.category ? [i.category] : [])))) {
    if (!(await deps.store.categories.exists(category))) {
      throw new AppError('VALIDATION_FAILED', `category: unknown category "${category}"`, { field: 'category' });
    }
  }
  const outages = await deps.store.outages.current(now);
  return deps.store.transaction(async (tx) => {
    const requesters = await tx.requesters.findOrCreateMany(inputs.map((i) => i.requester));
    const assessed = inputs.map((input, i) => {
      const requester = requesters[i]!;
      const assessment = deps.policy.assess({
        channel: input.channel,
        subject: input.subject,
        description: input.description,
        impact: input.impact,
        urgency: input.urgency,
        category: input.category,
        vip: requester.vip,
        urgencyHint: input.urgencyHint,
      });
      // Joined here, in the ticket's own transaction, rather than by routing after it: the ticket
      // is never offered to a technician while its outage is being worked, the rule reads the
      // outages this batch has in hand already (a few rows, a pure test), and the link is written
      // with the ticket, so its requester hears of the outage's end even if routing is down.
      // A request is something asked for, not something broken: no outage explains it.
      const outage = input.request ? undefined : outages.find((o) => isAbout(o, { ...input, category: assessment.category }));
      const type: TicketType = input.request ? 'request' : 'incident';
      // A request's clocks start when it is approved: none while it waits for its approvers.
      const due =
        input.request?.status === 'awaiting_approval'
          ? { respondBy: null, resolveBy: null }
          : deps.policy.slaDue(now, assessment.priority, type);
      return { input, requester, assessment, type, outageId: outage?.id ?? null, due };
    });
    const states = await tx.tickets.insertMany(
      assessed.map(({ input, requester, assessment, type, outageId, due }) => ({
        type,
        status: input.request?.status ?? 'new',
        parentId: input.request?.parentId ?? null,
        channel: input.channel,
        priority: assessment.priority,
        impact: assessment.impact,
        urgency: assessment.urgency,
        category: assessment.category,
        tier: assessment.tier,
        subject: input.subject,
        description: input.description,
        requesterId: requester.id,
        linkedTicketId: input.linkedTicketId ?? null,
        outageId,
        respondBy: due.respondBy,
        resolveBy: due.resolveBy,
      })),
    );
    const withMessage = inputs.flatMap((input, i) => (input.message ? [{ i, message: input.message, channel: input.channel }] : []));
    const messageIds: (string | null)[] = inputs.map(() => null);
    const recorded = await tx.messages.recordMany(
      withMessage.map(({ i, message, channel }) => ({ ...message, ticketId: states[i]!.id, direction: 'in' as const, channel })),
    );
    // Seen before: a redelivery. Throwing undoes the tickets; the caller finds the first one.
    if (recorded.some((id) => id === null)) throw new AlreadyRecorded();
    withMessage.forEach(({ i }, k) => (messageIds[i] = recorded[k] ?? null));
    // Picked now, in the ticket's transaction, and stored with the acknowledgement's outbox row: the
    // notifier renders without searching, and what was suggested is recorded once per ticket.
    const suggested = await tx.articleSuggestions.suggest(
      assessed.map(({ input, requester }, i) => ({
        ticketId: states[i]!.id,
        text: `${input.subject}\n${input.description}`,
        language: requester.language ?? deps.config.language,
        // Articles help fix what is broken; a request waits for people, not for a fix.
        limit: input.request ? 0 : SUGGESTIONS[input.channel],
      })),
    );
    await tx.tickets.addWatchersMany(inputs.map((input, i) => ({ ticketId: states[i]!.id, watchers: input.watchers ?? [] })));
    const causeIds = await tx.tickets.appendEvents(
      assessed.map(({ input, requester, assessment }, i) => ({
        ticketId: states[i]!.id,
        type: 'created',
        actor: input.channel === 'web' ? 'coordinator' : `requester:${requester.id}`,
        data: { channel: input.channel, priority: assessment.priority, why: assessment.reasons, ...input.details },
      })),
    );
    // The same event as a person's link (tickets/link-outage.ts), after the creation.
    const links = assessed.flatMap(({ assessment, outageId }, i) =>
      outageId
        ? [
            {
              ticketId: states[i]!.id,
              type: 'linked_to_outage',
              actor: OUTAGE_MATCH_ACTOR,
              data: { outageId, category: assessment.category },
            },
          ]
        : [],
    );
    if (links.length > 0) await tx.tickets.appendEvents(links);
    const notifications = await Promise.all(
      assessed.map(({ input, requester, assessment }, i) =>
        notificationRows(
          deps,
          tx,
          { ...states[i]!, resolution: null },
          causeIds[i]!,
          // Only the outages that may explain this problem are named (a VPN outage is no news to a jammed printer).
          {
            notify: input.notify ?? ['requester.created'],
            extra: {
              ...input.acknowledgement,
              outages: input.request ? [] : relevantOutages(outages, { ...input, category: assessment.category }).map((o) => o.title),
              articles: suggested
                .filter((s) => s.ticketId === states[i]!.id)
                .map(({ suggestionId, articleId, title }) => ({ suggestionId, articleId, title })),
            },
          },
          // Everything the acknowledgement needs is in hand: no second read of what was just written.
          { requester, watchers: input.watchers ?? [], technician: null },
        ),
      ),
    );
    await tx.outbox.add(notifications.flat());
    tx.afterCommit(() => {
      for (const state of states) {
        const events = state.outageId ? ['created', 'linked_to_outage'] : ['created'];
        tellListeners(deps, { ticketId: state.id, events, channel: state.channel });
      }
    });
    return states.map((state, i) => ({ state, messageId: messageIds[i] ?? null }));
  });
}

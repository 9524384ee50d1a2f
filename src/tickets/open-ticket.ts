import type { Channel, Language, Level } from '../domain.js';
import { AppError } from '../errors.js';
import type { NewMessage } from '../store/message-repository.js';
import type { TicketState } from '../store/ticket-repository.js';
import { queueNotifications } from './apply-change.js';
import type { TicketDeps } from './deps.js';
import type { Ticket, Watcher } from './types.js';

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
}

class DuplicateDelivery extends Error {}

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
 * number (an email's ticket, thousands of them after an outage).
 */
export async function recordTicket(deps: TicketDeps, input: OpenTicketInput): Promise<RecordedTicket> {
  const now = deps.now?.() ?? new Date();
  if (input.category && !(await deps.store.categories.exists(input.category))) {
    throw new AppError('VALIDATION_FAILED', `category: unknown category "${input.category}"`, { field: 'category' });
  }
  const outages = await deps.store.outages.current(now);
  let messageId: string | null = null;
  const result = await deps.store.transaction(async (tx) => {
    const requester = await deps.store.requesters.findOrCreate(input.requester, tx);
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
    const due = deps.policy.slaDue(now, assessment.priority);
    const state = await deps.store.tickets.insert(
      {
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
        respondBy: due.respondBy,
        resolveBy: due.resolveBy,
      },
      tx,
    );
    if (input.message) {
      messageId = await deps.store.messages.record(
        { ...input.message, ticketId: state.id, direction: 'in', channel: input.channel },
        tx,
      );
      // Seen before: a redelivery. Throwing undoes the ticket; the caller gets the first one.
      if (messageId === null) throw new DuplicateDelivery();
    }
    if (input.watchers?.length) await deps.store.tickets.addWatchers(state.id, input.watchers, tx);
    const causeId = await deps.store.tickets.appendEvent(
      state.id,
      'created',
      input.channel === 'web' ? 'coordinator' : `requester:${requester.id}`,
      { channel: input.channel, priority: assessment.priority, why: assessment.reasons, ...input.details },
      tx,
    );
    await queueNotifications(
      deps,
      { ...state, resolution: null },
      causeId,
      { notify: ['requester.created'], extra: { outages: outages.map((o) => o.title) } },
      tx,
      // Everything the acknowledgement needs is in hand: no second read of what was just written.
      { requester, watchers: input.watchers ?? [], technician: null },
    );
    return state;
  }).catch((err: unknown) => {
    if (err instanceof DuplicateDelivery) return null;
    throw err;
  });

  if (result === null) {
    const existing = input.message ? await deps.store.messages.ticketIdOf(input.channel, input.message.externalId) : undefined;
    return { ticketId: existing ?? null, created: false };
  }
  for (const listener of deps.listeners ?? []) listener({ ticketId: result.id, events: ['created'], channel: input.channel });
  return { state: result, messageId, created: true };
}

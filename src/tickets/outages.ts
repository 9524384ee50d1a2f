import { actorLabel, type Actor, type Outage, type OutageTranslations } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { OutageRequester } from '../store/outage-repository.js';
import type { Notification } from '../store/outbox-repository.js';
import { changeTickets } from './apply-change.js';
import { within, type TicketDeps } from './deps.js';
import { requesterRoute } from './recipients.js';

/** An outage as a coordinator declares it, from the API or the console. */
export interface OutageDeclaration {
  title: string;
  message: string;
  since?: string | undefined;
  until?: string | null | undefined;
  category?: string | undefined;
  translations?: OutageTranslations | undefined;
}

/** Announced from now on to callers and in acknowledgements; one path for the API and the console. */
export async function declareOutage(store: Store, input: OutageDeclaration): Promise<Outage> {
  if (input.category && !(await store.categories.exists(input.category))) {
    throw new AppError('VALIDATION_FAILED', `category: no category "${input.category}" (GET /api/categories lists them)`, {
      field: 'category',
    });
  }
  // An end already past would be stored and never shown: say so rather than lose it.
  if (input.until && new Date(input.until).getTime() <= Math.max(Date.now(), input.since ? Date.parse(input.since) : 0)) {
    throw new AppError('VALIDATION_FAILED', 'until: must be in the future and after since', { field: 'until' });
  }
  return store.outages.create({
    title: input.title,
    message: input.message,
    ...(input.since ? { since: new Date(input.since) } : {}),
    ...(input.until ? { until: new Date(input.until) } : {}),
    ...(input.category ? { category: input.category } : {}),
    ...(input.translations ? { translations: input.translations } : {}),
  });
}

/**
 * Ends an outage and tells each requester of its linked tickets once, by their channel, that it is
 * over (#16), in the same transaction: the end and the messages it owes are one fact. Each row's
 * idempotency key is (outage, requester), so a requester with three tickets about it hears once, and
 * a retried request (already ended: 404) or a crash writes nothing twice. Nobody else is told: not
 * the watchers, not the requesters of tickets that were not linked.
 */
export async function endOutage(deps: TicketDeps, id: string, actor: Actor): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await deps.store.transaction(async (tx) => {
    const outage = (await tx.outages.current(now)).find((o) => o.id === id);
    if (!outage || !(await tx.outages.end(id, now))) throw new AppError('OUTAGE_NOT_FOUND', `outage ${id} is not ongoing`);
    const requesters = await tx.outages.requestersOfLinked(id);
    await tx.outbox.add(requesters.flatMap((r) => outageEndedNotice(deps, outage, r)));
    // An event on each open linked ticket: its history says so, and routing, which left it to the
    // outage, offers it and plans its SLA clocks now rather than at its next sweep.
    const label = actorLabel(actor);
    const ended = { changes: {}, events: [{ type: 'outage_ended', data: { outageId: id, title: outage.title } }] };
    const open = await tx.outages.openLinkedTicketIds(id);
    await changeTickets(
      within(deps, tx),
      open.map((ticketId) => ({ ticketId, actor: label, decide: () => ended })),
    );
  });
}

function outageEndedNotice(deps: TicketDeps, outage: Outage, r: OutageRequester): Notification[] {
  const route = requesterRoute(r.ticket.channel, r);
  if (!route) return [];
  const language = r.language ?? deps.config.language;
  const words = outage.translations?.[language] ?? outage;
  return [
    {
      idempotencyKey: `outage-ended:${outage.id}:${r.requesterId}`,
      ticketId: r.ticket.id,
      kind: 'requester.outage-ended',
      channel: route.channel,
      recipient: route.to,
      language,
      payload: {
        number: r.ticket.number,
        subject: r.ticket.subject,
        priority: r.ticket.priority,
        category: r.ticket.category,
        requesterName: r.name,
        outage: { title: words.title, message: words.message },
      },
    },
  ];
}

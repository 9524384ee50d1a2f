import { actorLabel, type Actor, type Outage } from '../domain/ticket.js';
import { groupSuggestions, SUGGESTION_WINDOW_MS, type SuggestionGroup } from '../rules/suggestions.js';
import { changeTickets, ticketIdOrThrow } from './apply-change.js';
import { within, type TicketDeps } from './deps.js';
import { linkDecision } from './link-outage.js';
import { declareOutage } from './outages.js';

/**
 * GET /api/problems/suggestions and what follows from one (#16): groups of open tickets that look
 * like one cause (rules/suggestions.ts), and an outage declared from a group in one step.
 */

/**
 * The candidates read at most: the newest open tickets of the window. A thousand new tickets in two
 * hours is a desk far into a storm already (the watch alerts within seconds of the third); the bound
 * keeps a suggestion a read of a thousand index entries and a few milliseconds of grouping however
 * large the backlog (bench/suggestions.ts: 100,000 open tickets).
 */
export const CANDIDATES = 1_000;

export interface Suggestion {
  tickets: number[];
  title: string;
  since: string;
}

/** The groups of the window ending now, oldest seed first. */
export async function suggestionGroups(deps: TicketDeps): Promise<SuggestionGroup[]> {
  const now = deps.now?.() ?? new Date();
  const candidates = await deps.store.suggestions.recentOpen(new Date(now.getTime() - SUGGESTION_WINDOW_MS), CANDIDATES);
  return groupSuggestions(candidates);
}

/** As the contract shows them: the largest group first (the likeliest common cause), then the oldest. */
export async function listSuggestions(deps: TicketDeps): Promise<Suggestion[]> {
  const groups = await suggestionGroups(deps);
  return groups
    .sort((a, b) => b.tickets.length - a.tickets.length || a.seed.createdAt.getTime() - b.seed.createdAt.getTime())
    .map((g) => ({ tickets: g.tickets.map((t) => t.number), title: g.seed.subject, since: g.seed.createdAt.toISOString() }));
}

const DEFAULT_MESSAGE = {
  fr: 'Plusieurs demandes signalent ce problème ; nous y travaillons.',
  en: 'Several requests report this problem; we are on it.',
} as const;

export interface OutageFromTickets {
  /** Numbers or references, as a suggestion lists them. */
  tickets: readonly string[];
  title?: string | undefined;
  message?: string | undefined;
}

/**
 * Declares an outage from a group of tickets and links them to it, in one transaction (the
 * "declare an outage" of a storm alert). Its category is the tickets' when they share one, so the
 * tickets opened about it from now on join it too; its title, unless given, the earliest ticket's
 * subject.
 */
export async function declareOutageFromTickets(
  deps: TicketDeps,
  input: OutageFromTickets,
  actor: Actor,
): Promise<Outage & { tickets: number[] }> {
  const ids = [...new Set(await Promise.all(input.tickets.map((key) => ticketIdOrThrow(deps, key))))];
  const found = await Promise.all(ids.map((id) => deps.store.tickets.get(id)));
  const tickets = found.flatMap((t) => (t ? [t] : [])).sort((a, b) => a.number - b.number);
  const categories = new Set(tickets.map((t) => t.category));
  const [category] = categories.size === 1 ? [...categories] : [];
  return deps.store.transaction(async (tx) => {
    const outage = await declareOutage(tx, {
      // A title is said to callers: the API takes 200 characters at most, a subject may have 300.
      title: input.title ?? tickets[0]?.subject.slice(0, 200) ?? DEFAULT_MESSAGE[deps.config.language],
      message: input.message ?? DEFAULT_MESSAGE[deps.config.language],
      ...(category ? { category } : {}),
    });
    const label = actorLabel(actor);
    await changeTickets(
      within(deps, tx),
      ids.map((ticketId) => ({ ticketId, actor: label, decide: linkDecision(actor, outage.id) })),
    );
    return { ...outage, tickets: tickets.map((t) => t.number) };
  });
}

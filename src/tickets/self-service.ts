import { actorLabel } from '../domain/ticket.js';
import type { Language } from '../domain/values.js';
import type { Article } from '../store/article-repository.js';
import { resolveDecision } from './actions.js';
import { applyChange } from './apply-change.js';
import { isOpen } from './lifecycle.js';
import { within, type TicketDeps } from './deps.js';

/**
 * A requester's "This solved my problem" from an article suggested with their acknowledgement
 * (store/article-suggestion-repository.ts): the ticket is resolved as self-service, through the
 * tickets' one change path, and the link is used, in one transaction: both or neither. A link used
 * once changes nothing the second time, nor does one whose ticket is already resolved or closed.
 */

export type SelfServiceOutcome = 'resolved' | 'used' | 'settled' | 'unknown';

/** What the link's page shows: the article, and whether its button still does something. */
export interface SelfServiceLink {
  article: Article;
  ticketNumber: number;
  /** Pressing the button would resolve the ticket: the link is unused and the ticket still open. */
  open: boolean;
}

const NOTE: Record<Language, (title: string) => string> = {
  en: (title) => `Solved by the requester with the article "${title}".`,
  fr: (title) => `Résolu par le demandeur avec l'article « ${title} ».`,
};

/** The suggestion's article and ticket as its page shows them; null when either is gone or the article is a draft again. */
export async function selfServiceLink(deps: TicketDeps, suggestionId: string): Promise<SelfServiceLink | null> {
  const suggestion = await deps.store.articleSuggestions.find(suggestionId);
  if (!suggestion) return null;
  const [article, ticket] = await Promise.all([
    deps.store.articles.published(suggestion.articleId),
    deps.store.tickets.get(suggestion.ticketId),
  ]);
  if (!article || !ticket) return null;
  return { article, ticketNumber: ticket.number, open: suggestion.usedAt === null && isOpen(ticket.status) };
}

export async function resolveBySelfService(deps: TicketDeps, suggestionId: string): Promise<SelfServiceOutcome> {
  return deps.store.transaction(async (tx) => {
    const before = await tx.articleSuggestions.find(suggestionId);
    if (!before) return 'unknown';
    // Locked first: a technician resolving it, or a second press, waits for this one and sees it.
    const ticket = await tx.tickets.lock(before.ticketId);
    const article = await tx.articles.published(before.articleId);
    if (!ticket || !article) return 'unknown';
    if (!isOpen(ticket.status)) return 'settled';
    if (!(await tx.articleSuggestions.use(suggestionId))) return 'used';
    const note = NOTE[article.language](article.title);
    await applyChange(within(deps, tx), ticket.id, actorLabel({ kind: 'requester', id: ticket.requesterId }), (t, now) =>
      resolveDecision(t, now, note, { via: 'self-service', articleId: article.id }),
    );
    return 'resolved';
  });
}

import type { Config } from '../config/index.js';
import { SUGGESTION_CODE_LENGTH, suggestionCode } from '../store/article-suggestion-repository.js';

/**
 * The links to the articles a new ticket's acknowledgement suggests (`PUBLIC_URL/kb/s/<code>`).
 * The articles are picked when the ticket is opened, in its transaction, and travel in the outbox
 * row's payload (`articles: [{suggestionId, articleId, title}]`): the notifier renders without
 * searching. As with the offer links (offer-link.ts), the text is rendered with each code masked and
 * stored so; only the copy handed to the channel (SMTP, Twilio) carries the codes, recomputed from
 * the suggestion ids. Each mask is numbered, so that each is revealed as its own article's.
 */
export interface ArticleLinks {
  /** PUBLIC_URL: where the requester opens the link. */
  publicUrl: string;
  /** The server secret the codes are made with; without one, the links open the articles' public pages. */
  secret: string | undefined;
}

/**
 * The secret of the codes: TWILIO_AUTH_TOKEN, else HELPDESK_API_TOKEN (both server secrets, each
 * used here through a key derived for these codes alone). Without either, the acknowledgement links
 * to the articles' public pages, without the button that resolves the ticket.
 */
export function articleLinksOf(config: Pick<Config, 'publicUrl' | 'twilio' | 'apiToken'>): ArticleLinks {
  return { publicUrl: config.publicUrl, secret: config.twilio?.authToken ?? config.apiToken };
}

export interface SuggestedArticle {
  suggestionId: string;
  articleId: string;
  title: string;
}

/** The suggestions a row's payload carries (what openTicket stored with it). */
export function suggestedArticlesOf(payload: Record<string, unknown>): SuggestedArticle[] {
  const list = payload.articles;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown): SuggestedArticle[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { suggestionId, articleId, title } = item as Record<string, unknown>;
    return typeof suggestionId === 'string' && typeof articleId === 'string' && typeof title === 'string'
      ? [{ suggestionId, articleId, title }]
      : [];
  });
}

const root = (publicUrl: string) => publicUrl.replace(/\/+$/, '');
/** The i-th mask: its number, then stars to the code's length (the SMS's length counted at render is the one sent). */
const mask = (i: number) => `${i + 1}`.padEnd(SUGGESTION_CODE_LENGTH, '*');

/** The articles as the stored text shows them: each with its masked link, or its public page when codes cannot be made. */
export function maskedArticleLinks(links: ArticleLinks | undefined, payload: Record<string, unknown>): { title: string; link: string }[] {
  if (!links) return [];
  const { publicUrl, secret } = links;
  return suggestedArticlesOf(payload).map((a, i) => ({
    title: a.title,
    link:
      secret && suggestionCode(secret, a.suggestionId) !== null
        ? `${root(publicUrl)}/kb/s/${mask(i)}`
        : `${root(publicUrl)}/kb/${a.articleId}`,
  }));
}

/** The text as it goes to the channel: each masked link replaced by the real one. */
export function revealArticleLinks(links: ArticleLinks | undefined, payload: Record<string, unknown>, text: string): string {
  const secret = links?.secret;
  if (!links || !secret) return text;
  return suggestedArticlesOf(payload).reduce((out, a, i) => {
    const code = suggestionCode(secret, a.suggestionId);
    const base = `${root(links.publicUrl)}/kb/s/`;
    return code === null ? out : out.replaceAll(`${base}${mask(i)}`, `${base}${code}`);
  }, text);
}

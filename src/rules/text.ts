/**
 * Keyword matching shared by priority and category guessing. Tickets arrive in French and English,
 * typed on phones and in mail clients, so accents, case, curly apostrophes and spacing must not
 * decide whether a keyword is seen.
 */

/**
 * How much of a ticket's text the keyword rules (priority, category) read: its first 20,000
 * characters, some ten pages of prose. A request says what is wrong near the top; what follows is
 * quoted history, logs and pasted output, which only adds cost. The cap keeps each rule's work
 * bounded whatever a sender writes (a 1 MB email body is read in milliseconds, not minutes).
 */
export const RULE_TEXT_CHARS = 20_000;

/** The part of a text the keyword rules read (see RULE_TEXT_CHARS). */
export function ruleText(text: string): string {
  return text.length <= RULE_TEXT_CHARS ? text : text.slice(0, RULE_TEXT_CHARS);
}

/** Lower case, no diacritics, straight apostrophes, single spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

export interface KeywordMatcher {
  keyword: string;
  /** Multi-word phrases are more telling than a lone word; categorisation weighs them more. */
  words: number;
  test(normalized: string): boolean;
  /** The words the keyword matched ("bloquee" for "bloqu*"), or null. */
  match(normalized: string): string | null;
}

const matcherCache = new Map<string, KeywordMatcher>();
const MATCHER_CACHE_LIMIT = 2000;

/**
 * A keyword matches on word boundaries, so "down" does not fire on "download". A trailing `*`
 * matches any ending ("bloqu*" covers bloqué, bloquée, bloquant), which keeps French inflections
 * out of the data.
 */
export function keywordMatcher(keyword: string): KeywordMatcher {
  const cached = matcherCache.get(keyword);
  if (cached) return cached;
  const prefix = keyword.endsWith('*');
  const body = normalizeText(prefix ? keyword.slice(0, -1) : keyword);
  const escaped = body.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  const pattern = new RegExp(`(?:^|[^a-z0-9])(${escaped}${prefix ? '[a-z0-9]*' : ''})(?![a-z0-9])`);
  // Every ticket is tried against a couple of hundred keywords and most are absent: a plain
  // substring search for the first word, which any match contains, rules those out far faster.
  const first = body.split(' ')[0] ?? '';
  const matcher: KeywordMatcher = {
    keyword,
    words: body.split(' ').filter(Boolean).length,
    test: (normalized) => normalized.includes(first) && pattern.test(normalized),
    match: (normalized) => (normalized.includes(first) ? (pattern.exec(normalized)?.[1] ?? null) : null),
  };
  // Keyword lists are editable data; the cache is only a speed-up and must not grow without bound.
  if (matcherCache.size >= MATCHER_CACHE_LIMIT) matcherCache.clear();
  matcherCache.set(keyword, matcher);
  return matcher;
}

/** What the keywords of `keywords` matched in already-normalized text, in list order, once each. */
export function findKeywords(normalized: string, keywords: readonly string[]): string[] {
  const found: string[] = [];
  for (const keyword of keywords) {
    const text = keywordMatcher(keyword).match(normalized);
    if (text !== null && !found.includes(text)) found.push(text);
  }
  return found;
}

/** Removes the phrases so that a later, shorter keyword inside them ("urgent" in "pas urgent") is not seen. */
export function removeKeywords(normalized: string, keywords: readonly string[]): string {
  let text = normalized;
  for (const keyword of keywords) {
    const body = normalizeText(keyword.endsWith('*') ? keyword.slice(0, -1) : keyword);
    const escaped = body.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    text = text.replace(new RegExp(`(^|[^a-z0-9])${escaped}[a-z0-9]*`, 'g'), '$1 ');
  }
  return text;
}

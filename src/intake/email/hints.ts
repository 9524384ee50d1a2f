import type { Language, Level } from '../../domain/values.js';

/**
 * What an email says about itself beyond its text: how urgent its sender marked it, and which
 * language to answer in. Both are hints: routing weighs the urgency, a known requester keeps theirs.
 */

/** The header section of the raw bytes (up to the first blank line), at most 256 kB of it. */
export function headerSection(raw: Buffer): string {
  const head = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  return end === -1 ? head : head.slice(0, end);
}

export function headerValue(head: string, name: string): string | null {
  // Unfolded first occurrence (RFC 5322 §2.2.3); names are case-insensitive.
  const match = new RegExp(`^${name}[ \\t]*:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? null;
}

/**
 * The sender's urgency: X-Priority (1–2 high, 4–5 low; Outlook, Thunderbird, Apple Mail), then
 * Importance (RFC 2156: high/low), then Priority (RFC 2156: urgent/non-urgent), then
 * X-MSMail-Priority. `normal` and anything unknown say nothing.
 */
export function urgencyFromHeaders(raw: Buffer): Level | null {
  const head = headerSection(raw);
  const xPriority = headerValue(head, 'x-priority');
  const digit = xPriority === null ? null : /^\s*([1-5])/.exec(xPriority)?.[1];
  if (digit) return digit <= '2' ? 'high' : digit >= '4' ? 'low' : null;
  for (const name of ['importance', 'priority', 'x-msmail-priority']) {
    const value = headerValue(head, name)?.toLowerCase();
    if (value === undefined) continue;
    if (/^(high|urgent)\b/.test(value)) return 'high';
    if (/^(low|non-urgent)\b/.test(value)) return 'low';
    if (value !== '') return null;
  }
  return null;
}

/** The higher of two urgencies: an urgent@ mailbox stays urgent whatever a client's flag says. */
export function higherUrgency(a: Level | null, b: Level | null): Level | undefined {
  const rank = { low: 0, medium: 1, high: 2 } as const;
  if (a === null) return b ?? undefined;
  if (b === null) return a;
  return rank[a] >= rank[b] ? a : b;
}

const FRENCH = new Set([
  'bonjour',
  'merci',
  'je',
  'nous',
  'vous',
  'le',
  'la',
  'les',
  'des',
  'est',
  'pas',
  'une',
  'mon',
  'ma',
  'mes',
  'depuis',
  'avec',
  'sur',
  'dans',
  'ne',
  'plus',
  'cordialement',
  'fonctionne',
  'imprimante',
  'pour',
  'et',
  'il',
  'ai',
]);
const ENGLISH = new Set([
  'hello',
  'hi',
  'thanks',
  'thank',
  'i',
  'we',
  'you',
  'the',
  'is',
  'not',
  'my',
  'our',
  'since',
  'with',
  'on',
  'in',
  'it',
  'does',
  "doesn't",
  'cannot',
  "can't",
  'please',
  'regards',
  'working',
  'printer',
  'for',
  'and',
  'have',
]);

/**
 * French or English, from Content-Language when the client sent one, else from the commonest
 * words of the text (a few hundred words are plenty); null when it cannot tell.
 */
export function guessLanguage(raw: Buffer, text: string): Language | null {
  const declared = headerValue(headerSection(raw), 'content-language')?.toLowerCase();
  if (declared?.startsWith('fr')) return 'fr';
  if (declared?.startsWith('en')) return 'en';
  let fr = 0;
  let en = 0;
  const words = text
    .slice(0, 4_000)
    .toLowerCase()
    .split(/[^a-zà-ÿ']+/u);
  for (const word of words) {
    if (FRENCH.has(word)) fr++;
    if (ENGLISH.has(word)) en++;
  }
  if (fr + en < 3) return null;
  if (fr >= en * 2) return 'fr';
  if (en >= fr * 2) return 'en';
  return null;
}

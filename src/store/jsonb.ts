/**
 * A value as JSON text that Postgres accepts for a `jsonb` parameter.
 *
 * JSON.stringify escapes a lone UTF-16 surrogate (`\ud83d`), which Postgres refuses ("Unicode low
 * surrogate must follow a high surrogate") where a `text` parameter would have become U+FFFD. A
 * subject cut at 500 characters through an emoji is enough to produce one, and its notification
 * must still be written. Well-formed pairs are never escaped by JSON.stringify (ES2019), so every
 * `\uD800`–`\uDFFF` escape in its output is a lone half: it becomes U+FFFD, as UTF-8 encoding would.
 */
export function jsonb(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\ud') ? text.replace(LONE_SURROGATE, '$1\\ufffd') : text;
}

// An even run of backslashes before `\u` means the escape is real, not a literal backslash.
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

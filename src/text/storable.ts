/**
 * Text as Postgres can store it. A `text` value may not hold U+0000 (22P05
 * untranslatable_character), and a lone UTF-16 surrogate is not valid UTF-8. Both arrive from the
 * outside world (a NUL typed into a form, a surrogate cut in half by a client that truncates by
 * code unit), so every edge that takes text from outside passes it through here: NUL goes, a lone
 * surrogate becomes U+FFFD, and everything else is kept as written.
 */
export function storableText(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

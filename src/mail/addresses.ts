/**
 * Addresses that never read what is sent to them: no acknowledgement, no notification goes there,
 * and a requester given by Reply-To is not one of them. The one rule for the intake (who is a
 * requester, who a watcher) and for the senders (who may be written to).
 *
 * Matches whole words of the local part, so `noreply-dmarc@`, `bounces+123@`, `do_not_reply@`,
 * `notifications-noreply@` and `msprvs1=…=bounces-…@` (BATV/SRS) are caught while `bouncer.lee@`
 * is not; and, for the senders' older rule, a local part that starts with one of those words followed
 * by a `+`, `.` or `-` tag (`no-reply.eu@`, `mailer-daemon+x@`).
 */
const LEADING = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)(?:[+.-][^@]*)?@/i;
const NO_REPLY_WORD = /(^|[-_.+=])(no|do[-_.]?not|dont)[-_.]?reply($|[-_.+=])/;
const MACHINE_WORD = /(^|[-_.+=])(bounces?|auto[-_.]?reply|mailer[-_.]?daemon|postmaster)($|[-_.+=])/;

export function isNoReplyAddress(address: string): boolean {
  if (LEADING.test(address.trim())) return true;
  const bare = /<([^<>]*)>/.exec(address)?.[1] ?? address;
  const at = bare.lastIndexOf('@');
  const local = (at === -1 ? bare : bare.slice(0, at)).trim().toLowerCase();
  return NO_REPLY_WORD.test(local) || MACHINE_WORD.test(local);
}

/**
 * `<power quadrant system@example.com>`: an angle address whose local part has unquoted spaces, which RFC 5322
 * §3.4.1 only allows quoted. Parsers split it into a display name ("power quadrant") and a different address
 * (system@example.com), which is someone else. What the sender meant is the whole of it: kept as the quoted
 * local part RFC 5321 §4.1.2 can deliver to, `"power quadrant system"@example.com`. Null when the header has no
 * such address (the ordinary parser is right then).
 */
export function spacedAngleAddress(header: string): { name: string | null; address: string } | null {
  const match = /^([^<]*)<([^<>@]*\s[^<>@]*)@([^<>@\s]+)>\s*$/.exec(header.trim());
  if (match === null) return null;
  const local = (match[2] ?? '').trim().replace(/\s+/g, ' ');
  if (local === '' || local.startsWith('"')) return null;
  const name = (match[1] ?? '').trim().replace(/^"(.*)"$/, '$1');
  return { name: name === '' ? null : name, address: `"${local}"@${(match[3] ?? '').toLowerCase()}`.toLowerCase() };
}

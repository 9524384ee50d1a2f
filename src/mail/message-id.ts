import { createHash, randomUUID } from 'node:crypto';

/**
 * Message-IDs are how replies find their ticket (RFC 5322 §3.6.4), so every room must write and compare
 * them the same way: without the angle brackets, without folding whitespace, case kept (the id-left part
 * is case-sensitive; clients echo ids byte for byte).
 */

// A msg-id is at most a header line long (RFC 5322 §2.1.1: 998 characters); bounding it keeps the scan linear.
const BRACKETED = /<([^<>]{1,998})>/g;

/** The msg-ids of an In-Reply-To, References or Message-ID value, in order, deduplicated. */
export function parseMessageIdList(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(BRACKETED)) {
    const id = clean(match[1] ?? '');
    if (id !== null) ids.push(id);
  }
  if (ids.length === 0) {
    // Some old or broken clients write ids without brackets; an id has an "@" (RFC 5322 id-left "@" id-right).
    for (const token of value.split(/[\s,]+/)) {
      const id = clean(token);
      if (id !== null && id.includes('@')) ids.push(id);
    }
  }
  return [...new Set(ids)];
}

/** One msg-id in our canonical form, or null when there is none in the value. */
export function normaliseMessageId(value: string): string | null {
  return parseMessageIdList(value)[0] ?? clean(value);
}

/**
 * A stable stand-in for a missing Message-ID: the same bytes delivered twice give the same id, so
 * deduplication still works. The `.invalid` TLD (RFC 2606) can never collide with a real sender's id.
 */
export function synthesizeMessageId(raw: Buffer): string {
  return `${createHash('sha256').update(raw).digest('hex')}@synthesized.invalid`;
}

/**
 * Longer is no msg-id (a header line is at most 998 characters, RFC 5322 §2.1.1); it would also not fit
 * an index entry of the store (Postgres btree: about 2.7 kB), and one such id would fail its whole email.
 */
const MAX_ID = 998;

function clean(value: string): string | null {
  const id = value.replace(/\s+/g, '').replace(/^<+/, '').replace(/>+$/, '');
  return id === '' || id.length > MAX_ID ? null : id;
}

/**
 * The desk's own Message-IDs, `uuid@domain of MAIL_FROM`, bare: the mail sender writes one for each
 * email before sending it (so that the outbox records it first), and the intake recognises one coming
 * back (our own mail looping) by the same shape.
 */
export function newOwnMessageId(domain: string): string {
  return `${randomUUID()}@${domain}`;
}

const OWN_LEFT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is this bare Message-ID one the desk generated (newOwnMessageId) for `domain`? None when there is no domain. */
export function isOwnMessageId(messageId: string, domain: string | null): boolean {
  if (domain === null) return false;
  const at = messageId.lastIndexOf('@');
  return messageId.slice(at + 1).toLowerCase() === domain && OWN_LEFT.test(messageId.slice(0, at));
}

/**
 * Threading of outbound email (RFC 5322 §3.6.4): each notification is a reply in the ticket's one
 * conversation. The root is the requester's first email (or, for a ticket that did not start by
 * email, our first email about it); In-Reply-To names the latest message of the conversation, in or
 * out; References carries the root, then the most recent ones. The conversation is read by the
 * store (notificationFacts.emailThread); this file holds the rules, pure.
 */

export interface ThreadHeaders {
  inReplyTo?: string;
  references: string[];
}

/** RFC 5322 trims References from the middle, keeping the root: mail clients need the ends. */
const MAX_REFERENCES = 10;

const MESSAGE_ID = /^<?([^<>\s@]+@[^<>\s@]+)>?$/;

/** `<id@host>` for anything that is a Message-ID with or without brackets; undefined otherwise (a synthetic id). */
export function normalizeMessageId(value: string): string | undefined {
  const match = MESSAGE_ID.exec(value.trim());
  return match?.[1] ? `<${match[1]}>` : undefined;
}

export interface ThreadMessage {
  direction: 'in' | 'out';
  externalId: string;
}

/** Pure: the headers for a new message in a conversation listed oldest first. */
export function threadHeaders(messages: readonly ThreadMessage[]): ThreadHeaders {
  const ids: { id: string; direction: 'in' | 'out' }[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    const id = normalizeMessageId(m.externalId);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    ids.push({ id, direction: m.direction });
  }
  if (ids.length === 0) return { references: [] };
  const root = (ids.find((m) => m.direction === 'in') ?? ids[0])!.id;
  const rest = ids.map((m) => m.id).filter((id) => id !== root);
  const references = [root, ...rest.slice(-(MAX_REFERENCES - 1))];
  return { inReplyTo: ids[ids.length - 1]!.id, references };
}

import { headerSection, headerValue } from './hints.js';
import { parseMessageIdList } from '../../mail/message-id.js';
import { subjectTicketNumber } from './thread.js';

/**
 * Catching up a backlog on several lanes at once, without changing what any email becomes.
 *
 * Emails that could affect one another stay on one lane, in UID order: same sender or Reply-To
 * (one requester, one storm count), a Message-ID one of them references (a reply to a request in
 * the same batch must find its ticket), the same `[HD-n]`. Unrelated conversations go side by side,
 * so that one's database round trips overlap another's work. Grouping errs towards one lane: a
 * header it cannot read joins nothing and runs alone.
 *
 * The batch's conversations: emails linked by a key, directly or through others; in order of their first email.
 */
export function conversationGroups<T extends { raw: Buffer }>(emails: readonly T[]): T[][] {
  const parent = emails.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  emails.forEach((email, i) => {
    for (const key of conversationKeys(email.raw)) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, T[]>();
  emails.forEach((email, i) => {
    const root = find(i);
    const group = groups.get(root) ?? [];
    group.push(email);
    groups.set(root, group);
  });
  return [...groups.values()];
}

/** Whole conversations onto at most `lanes` lanes, each to the lane with the fewest emails so far, in UID order. */
export function spreadOnLanes<T extends { uid: number }>(groups: readonly T[][], lanes: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, Math.min(lanes, groups.length)) }, () => []);
  for (const group of groups) {
    const lane = out.reduce((best, l) => (l.length < best.length ? l : best), out[0]!);
    lane.push(...group);
  }
  for (const lane of out) lane.sort((a, b) => a.uid - b.uid);
  return out.filter((lane) => lane.length > 0);
}

/** What links an email to others: its addresses, its Message-ID and the ones it references, its ticket token. */
export function conversationKeys(raw: Buffer): string[] {
  const head = headerSection(raw);
  const keys: string[] = [];
  for (const name of ['from', 'reply-to', 'sender']) {
    const value = headerValue(head, name);
    const address =
      value === null ? undefined : (/<([^<>@\s]+@[^<>\s]+)>/.exec(value)?.[1] ?? /([^\s<>,;"()]+@[^\s<>,;"()]+)/.exec(value)?.[1]);
    if (address) keys.push(`a:${address.toLowerCase()}`);
  }
  for (const name of ['message-id', 'in-reply-to', 'references']) {
    const value = headerValue(head, name);
    if (value !== null) for (const id of parseMessageIdList(value).slice(0, 50)) keys.push(`m:${id}`);
  }
  const subject = headerValue(head, 'subject');
  const number = subject === null ? null : subjectTicketNumber(subject);
  if (number !== null) keys.push(`t:${number}`);
  return keys;
}

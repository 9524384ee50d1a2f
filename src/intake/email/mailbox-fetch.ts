import type { ImapFlow } from 'imapflow';
import type { EmailIntakeSettings } from './settings.js';

/**
 * Downloading a backlog in batches: one UID FETCH per batch (BODY.PEEK[], so nothing is marked
 * \Seen), bounded in count and bytes so that memory stays flat however long the backlog, and small
 * enough that the next batch downloads while this one is stored.
 */

export interface ListedEmail {
  uid: number;
  size: number;
}

export interface FetchedEmail {
  uid: number;
  raw: Buffer;
  /** Its size when it was too large to download whole; then `raw` is its header section only. */
  oversize: number | null;
}

export type Batch = { kind: 'whole'; emails: ListedEmail[] } | { kind: 'oversize'; email: ListedEmail };

/** The highest UID a batch covers: once it is done, the cursor may move there. */
export function lastUidOf(batch: Batch): number {
  return batch.kind === 'oversize' ? batch.email.uid : Math.max(...batch.emails.map((e) => e.uid));
}

export function planBatches(emails: readonly ListedEmail[], settings: Pick<EmailIntakeSettings, 'batch' | 'maxRawBytes'>): Batch[] {
  const batches: Batch[] = [];
  let current: ListedEmail[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length > 0) batches.push({ kind: 'whole', emails: current });
    current = [];
    bytes = 0;
  };
  for (const email of emails) {
    if (email.size > settings.maxRawBytes) {
      flush();
      batches.push({ kind: 'oversize', email });
      continue;
    }
    if (current.length >= settings.batch.messages || (current.length > 0 && bytes + email.size > settings.batch.bytes)) flush();
    current.push(email);
    bytes += email.size;
  }
  flush();
  return batches;
}

/** Downloads a batch, except the UIDs in `skip` (taken already, by an earlier session). */
export async function fetchBatch(client: ImapFlow, batch: Batch, skip: ReadonlySet<number> = new Set()): Promise<FetchedEmail[]> {
  if (batch.kind === 'oversize') {
    if (skip.has(batch.email.uid)) return [];
    const [message] = await client.fetchAll(String(batch.email.uid), { uid: true, headers: true }, { uid: true });
    return [{ uid: batch.email.uid, raw: message?.headers ?? Buffer.alloc(0), oversize: batch.email.size }];
  }
  const uids = batch.emails.map((e) => e.uid).filter((uid) => !skip.has(uid));
  if (uids.length === 0) return [];
  const messages = await client.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true });
  // An email expunged meanwhile is simply absent; the cursor moves past it with the next one.
  return messages
    .filter((m) => m.source !== undefined)
    .map((m) => ({ uid: m.uid, raw: m.source ?? Buffer.alloc(0), oversize: null }))
    .sort((a, b) => a.uid - b.uid);
}

import type { OutboundEmail } from './email-repository.js';
import { hotRows, type Db } from './handle.js';

/**
 * What the email intake's planner asks of the store for a whole batch of emails at once, beside
 * the questions of email-repository.ts: which of the batch's own Message-IDs the store knows, and
 * how (received before: a redelivery; sent by us: our own mail coming back), and which of our
 * outbound emails a batch's delivery reports name.
 *
 * Message-IDs are compared in both spellings: the intake stores them bare (RFC 5322 msg-id without
 * angle brackets), the mail sender records its own with them.
 */

export interface KnownMessageId {
  /** An inbound email with this Message-ID was stored: a redelivery. */
  received: boolean;
  /** We sent an email with this Message-ID: it came back. */
  sent: boolean;
}

const spellings = (ids: readonly string[]) => [...new Set(ids.flatMap((id) => [id, `<${id}>`]))];
const bare = (id: string) => (id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id);

export function createEmailIntakeRepository(db: Db) {
  return {
    /** Bare Message-ID → how the store knows it, for those of `messageIds` it knows. */
    async knownMessageIds(messageIds: readonly string[]): Promise<Map<string, KnownMessageId>> {
      if (messageIds.length === 0) return new Map();
      const found = await hotRows<{ id: string; direction: 'in' | 'out' }>(
        db,
        `SELECT external_id AS id, direction FROM messages WHERE channel = 'email' AND external_id = ANY(CAST($ids AS text[]))`,
        { ids: spellings(messageIds) },
      );
      const known = new Map<string, KnownMessageId>();
      for (const row of found) {
        const id = bare(row.id);
        const entry = known.get(id) ?? { received: false, sent: false };
        known.set(id, { received: entry.received || row.direction === 'in', sent: entry.sent || row.direction === 'out' });
      }
      return known;
    },

    /** Our outbound emails among these Message-IDs, in either spelling (what delivery reports are about). */
    async outboundAmong(messageIds: readonly string[]): Promise<OutboundEmail[]> {
      if (messageIds.length === 0) return [];
      return hotRows<OutboundEmail>(
        db,
        `SELECT id, ticket_id AS "ticketId", external_id AS "externalId", recipient, status FROM messages
          WHERE channel = 'email' AND direction = 'out' AND external_id = ANY(CAST($ids AS text[]))`,
        { ids: spellings(messageIds) },
      );
    },
  };
}

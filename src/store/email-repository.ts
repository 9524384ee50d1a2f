import type { TicketStatus } from '../domain/values.js';
import { jsonb } from './jsonb.js';
import { hotRows, run, type Bind, type Db } from './handle.js';

/**
 * The questions the email intake asks of the store: which ticket a Message-ID, a ticket number or a
 * sender leads to, and the writes only email has (attachment bytes, bounced outbound mail).
 *
 * Message-IDs are compared in both spellings: the intake stores them bare (RFC 5322 msg-id without
 * angle brackets), the mail sender records its own with them.
 */

export interface EmailTicketRef {
  id: string;
  number: string;
  status: TicketStatus;
  closedAt: Date | null;
  requesterId: string;
}

export interface OutboundEmail {
  id: string;
  ticketId: string | null;
  externalId: string;
  recipient: string | null;
  status: string | null;
}

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer;
}

export interface AttachmentOwner {
  ticketId: string;
  messageId: string;
}

/** Seven parameters each, well under Postgres's 65,535 per statement. */
const ATTACHMENTS_PER_STATEMENT = 500;

const spellings = (ids: readonly string[]) => [...new Set(ids.flatMap((id) => [id, `<${id}>`]))];
const bare = (id: string) => (id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id);

/** The key of a (ticket number, sender) pair in ticketsByNumbers' answer. */
export const numberKey = (number: string, address: string | null) => `${number} ${address?.toLowerCase() ?? ''}`;

export type Role = 'requester' | 'watcher' | 'other';

interface TicketRow {
  id: string;
  number: number;
  status: TicketStatus;
  closed_at: Date | null;
  requester_id: string;
}

const toRef = (row: TicketRow): EmailTicketRef => ({
  id: row.id,
  number: String(row.number),
  status: row.status,
  closedAt: row.closed_at,
  requesterId: row.requester_id,
});

export function createEmailRepository(db: Db) {
  // Every email asks some of these: bound parameters, prepared on the email's transaction (hotRows).
  const select = <T extends object>(sql: string, bind: Bind) => hotRows<T>(db, sql, bind);

  return {
    /** Message-ID (bare) → the ticket of the email it names, in or out, for those of `ids` that name one. */
    async ticketsByMessageIds(ids: readonly string[]): Promise<Map<string, EmailTicketRef>> {
      if (ids.length === 0) return new Map();
      const rows = await select<TicketRow & { external_id: string }>(
        `SELECT m.external_id, t.id, t.number, t.status, t.closed_at, t.requester_id
           FROM messages m JOIN tickets t ON t.id = m.ticket_id
          WHERE m.channel = 'email' AND m.external_id = ANY(CAST($ids AS text[]))`,
        { ids: spellings(ids) },
      );
      return new Map(rows.map((row) => [bare(row.external_id), toRef(row)]));
    },

    /**
     * The ticket of each (number, sender) pair, and whether the sender is its requester or one of its
     * watchers; keyed by numberKey, absent when no such ticket.
     */
    async ticketsByNumbers(
      asked: readonly { number: string; address: string | null }[],
    ): Promise<Map<string, EmailTicketRef & { senderIsRequesterOrWatcher: boolean }>> {
      if (asked.length === 0) return new Map();
      const rows = await select<TicketRow & { address: string | null; member: boolean }>(
        `SELECT q.address, t.id, t.number, t.status, t.closed_at, t.requester_id,
                (q.address IS NOT NULL AND (r.emails @> ARRAY[q.address] OR EXISTS (
                  SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND lower(w.email) = q.address))) AS member
           FROM jsonb_to_recordset(CAST($asked AS jsonb)) AS q(number bigint, address text)
           JOIN tickets t ON t.number = q.number JOIN requesters r ON r.id = t.requester_id`,
        { asked: jsonb(asked.map((a) => ({ number: Number(a.number), address: a.address?.toLowerCase() ?? null }))) },
      );
      return new Map(
        rows.map((row) => [numberKey(String(row.number), row.address), { ...toRef(row), senderIsRequesterOrWatcher: row.member }]),
      );
    },

    /** Who each sender is to its ticket (requester, watcher, someone else), in one statement, in the order given. */
    async rolesOn(asked: readonly { ticketId: string; address: string | null }[]): Promise<Role[]> {
      const known = asked.filter((a): a is { ticketId: string; address: string } => a.address !== null);
      if (known.length === 0) return asked.map(() => 'other');
      const rows = await select<{ ticketId: string; address: string; requester: boolean; watcher: boolean }>(
        `SELECT q."ticketId", q.address, r.emails @> ARRAY[q.address] AS requester,
                EXISTS (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND lower(w.email) = q.address) AS watcher
           FROM jsonb_to_recordset(CAST($asked AS jsonb)) AS q("ticketId" uuid, address text)
           JOIN tickets t ON t.id = q."ticketId" JOIN requesters r ON r.id = t.requester_id`,
        { asked: jsonb(known.map((a) => ({ ticketId: a.ticketId, address: a.address.toLowerCase() }))) },
      );
      const roles = new Map(
        rows.map((row) => [`${row.ticketId} ${row.address}`, row.requester ? 'requester' : row.watcher ? 'watcher' : 'other'] as const),
      );
      return asked.map((a) => (a.address === null ? 'other' : (roles.get(`${a.ticketId} ${a.address.toLowerCase()}`) ?? 'other')));
    },

    /** Inbound emails from each sender since `since` (the per-sender storm cap): lower-cased address → count, absent when none. */
    async countsFrom(addresses: readonly string[], since: Date): Promise<Map<string, number>> {
      if (addresses.length === 0) return new Map();
      const rows = await select<{ address: string; n: number }>(
        `SELECT lower(sender) AS address, count(*)::int AS n FROM messages
          WHERE direction = 'in' AND lower(sender) = ANY(CAST($addresses AS text[])) AND at > $since AND channel = 'email'
          GROUP BY 1`,
        { addresses: [...new Set(addresses.map((a) => a.toLowerCase()))], since },
      );
      return new Map(rows.map((r) => [r.address, r.n]));
    },

    /** Inbound emails on each ticket since `since` (the per-ticket storm cap): ticket id → count, absent when none. */
    async countsOn(ticketIds: readonly string[], since: Date): Promise<Map<string, number>> {
      if (ticketIds.length === 0) return new Map();
      const rows = await select<{ ticketId: string; n: number }>(
        `SELECT ticket_id AS "ticketId", count(*)::int AS n FROM messages
          WHERE ticket_id = ANY(CAST($ticketIds AS uuid[])) AND at > $since AND direction = 'in' AND channel = 'email'
          GROUP BY 1`,
        { ticketIds: [...new Set(ticketIds)], since },
      );
      return new Map(rows.map((r) => [r.ticketId, r.n]));
    },

    /**
     * The newest ticket of the requester each address belongs to: lower-cased address → that ticket.
     * Tickets written in one transaction share their creation time: the number, given in order, decides.
     */
    async latestTicketsOf(addresses: readonly string[]): Promise<Map<string, EmailTicketRef>> {
      if (addresses.length === 0) return new Map();
      const rows = await select<TicketRow & { address: string }>(
        `SELECT DISTINCT ON (a.address) a.address, t.id, t.number, t.status, t.closed_at, t.requester_id
           FROM unnest(CAST($addresses AS text[])) AS a(address)
           JOIN requesters r ON r.emails @> ARRAY[a.address] JOIN tickets t ON t.requester_id = r.id
          ORDER BY a.address, t.created_at DESC, t.number DESC`,
        { addresses: [...new Set(addresses.map((a) => a.toLowerCase()))] },
      );
      return new Map(rows.map((row) => [row.address, toRef(row)]));
    },

    /**
     * Attachments of many messages, the bytes themselves kept (bytea: an email's attachments have no
     * other home); a statement per few hundred files (bound parameters are limited).
     */
    async addAttachmentsMany(entries: readonly (AttachmentOwner & { files: readonly StoredAttachment[] })[]): Promise<void> {
      const all = entries.flatMap(({ files, ...owner }) => files.map((file) => ({ owner, file })));
      for (let start = 0; start < all.length; start += ATTACHMENTS_PER_STATEMENT) {
        // Bound, not replaced: pg sends a Buffer parameter as binary, where a replacement would spell
        // every byte out as hex in the SQL text for Postgres to parse back (twice the size, and slow).
        const bind: Record<string, unknown> = {};
        const rows = all.slice(start, start + ATTACHMENTS_PER_STATEMENT).map(({ owner, file }, i) => {
          Object.assign(bind, {
            [`m${i}`]: owner.messageId,
            [`k${i}`]: owner.ticketId,
            [`f${i}`]: file.filename,
            [`t${i}`]: file.contentType,
            [`s${i}`]: file.size,
            [`h${i}`]: file.sha256,
            [`c${i}`]: file.content,
          });
          return `($m${i}, $k${i}, $f${i}, $t${i}, $s${i}, $h${i}, $c${i})`;
        });
        await run(
          db,
          `INSERT INTO attachments (message_id, ticket_id, filename, content_type, size, sha256, content) VALUES ${rows.join(', ')}`,
          bind,
        );
      }
    },

    /** Marks an outbound email undelivered; suppression then keeps its address quiet for a while. */
    async markFailed(messageRowId: string, error: string): Promise<void> {
      await run(db, `UPDATE messages SET status = 'failed', error = $error WHERE id = $id`, {
        id: messageRowId,
        error: error.slice(0, 1_000),
      });
    },
  };
}

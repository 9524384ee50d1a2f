import type { Level } from '../domain/values.js';
import { rows, run, txOf, type Db } from './handle.js';

/** An email that opened no ticket and landed on none, as it is filed. */
export interface NewFilteredMail {
  mailbox: string;
  uid: number | null;
  /** As in the header, angle brackets included. */
  messageId: string;
  sender: string | null;
  subject: string;
  /** A short stable code (`loop`, `bounce`, `automatic`, `rate_limited`). */
  reasonCode: string;
  /** The same in words, for a person. */
  reason: string;
  receivedAt: Date;
  raw: Buffer;
  /** The mailbox's category and urgency then, for the ticket a person may open from it. */
  category: string | null;
  urgency: Level | null;
  /** The desk's own addresses then: never the watchers of that ticket. */
  deskAddresses: readonly string[];
}

/** An email as GET /api/filtered lists it. */
export interface FilteredMail {
  id: string;
  mailbox: string;
  messageId: string;
  from: string | null;
  subject: string;
  reason: string;
  detail: string;
  receivedAt: string;
  /** The ticket a person opened from it, if one did. */
  ticketId: string | null;
}

/** What opening a ticket from a filtered email needs, read under a row lock. */
export interface FilteredSource {
  id: string;
  mailbox: string;
  raw: Buffer;
  receivedAt: Date;
  category: string | null;
  urgency: Level | null;
  deskAddresses: string[];
  ticketId: string | null;
}

interface ListedRow {
  id: string;
  mailbox: string;
  message_id: string;
  sender: string | null;
  subject: string;
  reason_code: string;
  reason: string;
  received_at: Date;
  ticket_id: string | null;
  total: string;
}

interface SourceRow {
  id: string;
  mailbox: string;
  raw: Buffer;
  received_at: Date;
  category: string | null;
  urgency: Level | null;
  desk_addresses: string[];
  ticket_id: string | null;
}

export function createFilteredMailRepository(db: Db) {
  return {
    /** Files each email once per mailbox: a redelivered Message-ID adds nothing. */
    async addMany(mail: readonly NewFilteredMail[]): Promise<void> {
      for (const m of mail) {
        // Bound: the raw bytes go as binary (see addAttachmentsMany in email-repository.ts).
        await run(
          db,
          `INSERT INTO filtered_mail
             (mailbox, uid, message_id, sender, subject, reason_code, reason, received_at, raw, category, urgency, desk_addresses)
           VALUES ($mailbox, $uid, $messageId, $sender, $subject, $reasonCode, $reason, $receivedAt, $raw, $category, $urgency, $deskAddresses)
           ON CONFLICT (mailbox, message_id) DO NOTHING`,
          { ...m, deskAddresses: [...m.deskAddresses] },
        );
      }
    },

    /** Newest first, with how many there are in all. */
    async list(page: { limit: number; offset: number }): Promise<{ items: FilteredMail[]; total: number }> {
      const found = await rows<ListedRow>(
        db,
        `SELECT id, mailbox, message_id, sender, subject, reason_code, reason, received_at, ticket_id, count(*) OVER () AS total
           FROM filtered_mail
          ORDER BY received_at DESC, id DESC
          LIMIT $limit OFFSET $offset`,
        page,
      );
      const total = found[0] ? Number(found[0].total) : page.offset === 0 ? 0 : await this.count();
      return {
        total,
        items: found.map((r) => ({
          id: r.id,
          mailbox: r.mailbox,
          messageId: r.message_id,
          from: r.sender,
          subject: r.subject,
          reason: r.reason_code,
          detail: r.reason,
          receivedAt: new Date(r.received_at).toISOString(),
          ticketId: r.ticket_id,
        })),
      };
    },

    async count(): Promise<number> {
      const [row] = await rows<{ n: string }>(db, `SELECT count(*) AS n FROM filtered_mail`);
      return Number(row?.n ?? 0);
    },

    /** The email and whether a ticket was opened from it, locked until the transaction ends (two clicks open one ticket). */
    async lockSource(id: string): Promise<FilteredSource | null> {
      txOf(db, 'filteredMail.lockSource');
      const [row] = await rows<SourceRow>(
        db,
        `SELECT id, mailbox, raw, received_at, category, urgency, desk_addresses, ticket_id
           FROM filtered_mail WHERE id = $id FOR UPDATE`,
        { id },
      );
      if (!row) return null;
      return {
        id: row.id,
        mailbox: row.mailbox,
        raw: row.raw,
        receivedAt: new Date(row.received_at),
        category: row.category,
        urgency: row.urgency,
        deskAddresses: row.desk_addresses,
        ticketId: row.ticket_id,
      };
    },

    async markTicket(id: string, ticketId: string): Promise<void> {
      await run(db, `UPDATE filtered_mail SET ticket_id = $ticketId WHERE id = $id`, { id, ticketId });
    },
  };
}

import { rows, run, type Db } from './handle.js';
import { jsonb } from './jsonb.js';

/**
 * Media that stays where it is (MMS pictures, a call recording): the row keeps the URL and type.
 * Email attachments, whose bytes are kept, are email-repository.ts's.
 */

export interface AttachmentLink {
  url: string;
  contentType: string | null;
  filename?: string | null;
}

export function createAttachmentLinkRepository(db: Db) {
  return {
    /**
     * Links the media not linked to the ticket yet, and says how many were new: a retried callback
     * adds nothing. The caller holds the ticket's lock, which makes the check and the insert one step.
     */
    async addNew(owner: { ticketId: string; messageId: string | null }, links: readonly AttachmentLink[]): Promise<number> {
      if (links.length === 0) return 0;
      const existing = await rows<{ url: string }>(db, `SELECT url FROM attachments WHERE ticket_id = $ticketId`, {
        ticketId: owner.ticketId,
      });
      const known = new Set(existing.map((a) => a.url));
      const fresh = links.filter((l) => !known.has(l.url));
      if (fresh.length === 0) return 0;
      await run(
        db,
        `INSERT INTO attachments (id, ticket_id, message_id, url, content_type, filename, size, sha256, created_at)
         SELECT gen_random_uuid(), $ticketId, $messageId, l.url, l."contentType", l.filename, NULL, NULL, $at
           FROM jsonb_to_recordset(CAST($links AS jsonb)) AS l(url text, "contentType" text, filename text)`,
        {
          ticketId: owner.ticketId,
          messageId: owner.messageId,
          at: new Date(),
          links: jsonb(fresh.map((l) => ({ url: l.url, contentType: l.contentType, filename: l.filename ?? null }))),
        },
      );
      return fresh.length;
    },
  };
}

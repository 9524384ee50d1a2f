import type { ApprovalDecision, ApprovalRule, ApprovalVia, ApproverContact } from '../domain/ticket.js';
import type { Language, TicketStatus } from '../domain/values.js';
import { rows, type Db } from './handle.js';
import { jsonb } from './jsonb.js';

/** One approver asked to approve one request (migration 091), as the use cases and the channels read it. */
export interface Approval {
  id: string;
  ticketId: string;
  /** The request's number: what an approver's `YES <n>` names. */
  ticketNumber: number;
  position: number;
  approver: ApproverContact;
  language: Language;
  decision: ApprovalDecision | null;
  via: ApprovalVia | null;
  comment: string | null;
  decidedAt: Date | null;
  askedAt: Date;
  remindedAt: Date | null;
  escalatedAt: Date | null;
  /** Left unanswered when the request was decided: it can no longer be given (migration 094). */
  mootAt: Date | null;
}

export interface NewApproval {
  approver: ApproverContact;
  language: Language;
}

/** What a request asked for: the catalog item, the fields as given, and the item's rule when it was opened. */
export interface RequestRecord {
  ticketId: string;
  itemId: string;
  itemName: string;
  fields: Record<string, string | number | boolean>;
  approval: ApprovalRule;
}

/** A row as SELECT reads it: the number as text (bigint), the approver in its three columns. */
type ApprovalRow = Omit<Approval, 'ticketNumber' | 'approver'> & {
  ticketNumber: string;
  name: string | null;
  email: string | null;
  phone: string | null;
};

const SELECT = `
  SELECT a.id, a.ticket_id AS "ticketId", t.number::text AS "ticketNumber", a.position, a.name, a.email, a.phone,
         a.language, a.decision, a.via, a.comment, a.decided_at AS "decidedAt", a.asked_at AS "askedAt",
         a.reminded_at AS "remindedAt", a.escalated_at AS "escalatedAt", a.moot_at AS "mootAt"
    FROM approvals a JOIN tickets t ON t.id = a.ticket_id`;

function toApproval(row: ApprovalRow): Approval {
  const { ticketNumber, name, email, phone, ...rest } = row;
  const approver: ApproverContact = {
    ...(name !== null ? { name } : {}),
    ...(email !== null ? { email } : {}),
    ...(phone !== null ? { phone } : {}),
  };
  return { ...rest, ticketNumber: Number(ticketNumber), approver };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createApprovalRepository(db: Db) {
  return {
    /** The request's item and fields, and its approvers in the item's order. */
    async record(request: Omit<RequestRecord, 'itemName'>, approvers: readonly NewApproval[]): Promise<Approval[]> {
      await rows(
        db,
        `INSERT INTO ticket_requests (ticket_id, item_id, fields, approval) VALUES ($ticketId, $itemId, CAST($fields AS jsonb), $approval)
         RETURNING ticket_id`,
        { ticketId: request.ticketId, itemId: request.itemId, fields: jsonb(request.fields), approval: request.approval },
      );
      if (approvers.length === 0) return [];
      await rows(
        db,
        `INSERT INTO approvals (ticket_id, position, name, email, phone, language)
         SELECT $ticketId, a.position, a.name, a.email, a.phone, a.language
           FROM jsonb_to_recordset(CAST($rows AS jsonb)) AS a(position int, name text, email text, phone text, language text)
         RETURNING id`,
        {
          ticketId: request.ticketId,
          rows: jsonb(
            approvers.map((a, position) => ({
              position,
              name: a.approver.name ?? null,
              email: a.approver.email ?? null,
              phone: a.approver.phone ?? null,
              language: a.language,
            })),
          ),
        },
      );
      return this.forTicket(request.ticketId);
    },

    /** What the request asked for; null for an incident. */
    async request(ticketId: string): Promise<RequestRecord | null> {
      const [row] = await rows<RequestRecord>(
        db,
        `SELECT r.ticket_id AS "ticketId", r.item_id AS "itemId", coalesce(c.name, r.item_id) AS "itemName", r.fields, r.approval
           FROM ticket_requests r LEFT JOIN catalog_items c ON c.id = r.item_id WHERE r.ticket_id = $ticketId`,
        { ticketId },
      );
      return row ?? null;
    },

    /** The request's approvals, in the item's order. */
    async forTicket(ticketId: string): Promise<Approval[]> {
      const found = await rows<ApprovalRow>(db, `${SELECT} WHERE a.ticket_id = $ticketId ORDER BY a.position`, { ticketId });
      return found.map(toApproval);
    },

    async get(id: string): Promise<Approval | null> {
      if (!UUID.test(id)) return null;
      const [row] = await rows<ApprovalRow>(db, `${SELECT} WHERE a.id = $id`, { id });
      return row ? toApproval(row) : null;
    },

    /** The pending approval of request number `ticketNumber` asked of `phone` (E.164, as stored); null when there is none. */
    /** Whether this phone was asked to approve request `ticketNumber`, answered or not. */
    async askedByPhone(ticketNumber: number, phone: string): Promise<boolean> {
      const [row] = await rows<{ asked: boolean }>(
        db,
        `SELECT EXISTS (SELECT 1 FROM approvals a JOIN tickets t ON t.id = a.ticket_id
                         WHERE t.number = $ticketNumber AND a.phone = $phone) AS asked`,
        { ticketNumber, phone },
      );
      return row?.asked === true;
    },

    async pendingByPhone(ticketNumber: number, phone: string): Promise<Approval | null> {
      const [row] = await rows<ApprovalRow>(
        db,
        `${SELECT} WHERE t.number = $ticketNumber AND a.phone = $phone AND a.decision IS NULL AND a.moot_at IS NULL
            AND t.status = 'awaiting_approval'
          ORDER BY a.position LIMIT 1`,
        { ticketNumber, phone },
      );
      return row ? toApproval(row) : null;
    },

    /**
     * Writes the answer once: false when the approval was decided already (a second answer, or two
     * at once: the conditional UPDATE lets one through).
     */
    async decide(
      id: string,
      answer: { decision: ApprovalDecision; via: ApprovalVia; comment?: string | null | undefined },
    ): Promise<boolean> {
      const changed = await rows<{ id: string }>(
        db,
        `UPDATE approvals SET decision = $decision, via = $via, comment = $comment, decided_at = now()
          WHERE id = $id AND decision IS NULL AND moot_at IS NULL RETURNING id`,
        { id, decision: answer.decision, via: answer.via, comment: answer.comment ?? null },
      );
      return changed.length > 0;
    },

    /**
     * Pending approvals of requests still awaiting approval that the reminder sweep owes something:
     * asked more than `reminderMs` ago and not reminded (a reminder), or reminded more than
     * `reminderMs` ago and not escalated (the coordinator told).
     */
    async due(now: Date, reminderMs: number): Promise<Approval[]> {
      const before = new Date(now.getTime() - reminderMs);
      const found = await rows<ApprovalRow>(
        db,
        `${SELECT}
          WHERE a.decision IS NULL AND a.moot_at IS NULL AND t.status = 'awaiting_approval'
            AND ((a.reminded_at IS NULL AND a.asked_at <= $before) OR (a.reminded_at <= $before AND a.escalated_at IS NULL))
          ORDER BY a.asked_at, a.id LIMIT 500`,
        { before },
      );
      return found.map(toApproval);
    },

    /** The request was decided: the approvals still unanswered can no longer be given. */
    async mootOpen(ticketId: string): Promise<void> {
      await rows(
        db,
        `UPDATE approvals SET moot_at = now() WHERE ticket_id = $ticketId AND decision IS NULL AND moot_at IS NULL RETURNING id`,
        {
          ticketId,
        },
      );
    },

    async markReminded(id: string): Promise<void> {
      await rows(db, `UPDATE approvals SET reminded_at = now() WHERE id = $id RETURNING id`, { id });
    },

    async markEscalated(id: string): Promise<void> {
      await rows(db, `UPDATE approvals SET escalated_at = now() WHERE id = $id RETURNING id`, { id });
    },

    /** The requester's manager, who an item's `{manager: true}` approver stands for; null when none is known. */
    async managerOf(requesterId: string): Promise<ApproverContact | null> {
      const [row] = await rows<{ name: string | null; email: string | null; phone: string | null }>(
        db,
        `SELECT manager_name AS name, manager_email AS email, manager_phone AS phone FROM requesters WHERE id = $requesterId`,
        { requesterId },
      );
      if (!row || (row.email === null && row.phone === null)) return null;
      return {
        ...(row.name !== null ? { name: row.name } : {}),
        ...(row.email !== null ? { email: row.email } : {}),
        ...(row.phone !== null ? { phone: row.phone } : {}),
      };
    },

    /** The requester's manager as a coordinator gave it (the API vouches for it): replaces the one known. */
    async setManager(requesterId: string, manager: ApproverContact): Promise<void> {
      await rows(
        db,
        `UPDATE requesters SET manager_name = $name, manager_email = $email, manager_phone = $phone, updated_at = now()
          WHERE id = $requesterId RETURNING id`,
        { requesterId, name: manager.name ?? null, email: manager.email ?? null, phone: manager.phone ?? null },
      );
    },

    /** A request's child tasks, in order. */
    async children(parentId: string): Promise<{ id: string; number: number; status: TicketStatus; subject: string }[]> {
      const found = await rows<{ id: string; number: string; status: TicketStatus; subject: string }>(
        db,
        `SELECT id, number::text AS number, status, subject FROM tickets WHERE parent_id = $parentId ORDER BY number`,
        { parentId },
      );
      return found.map((c) => ({ ...c, number: Number(c.number) }));
    },
  };
}

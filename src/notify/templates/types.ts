import type { Channel, Priority, Tier } from '../../domain/values.js';

/** Every message the desk sends, by audience. */
export const REQUESTER_KINDS = [
  'created',
  'assigned',
  'pending',
  'escalated',
  'resolved',
  'closed',
  'omitted-attachments',
  'outage-ended',
  'rejected',
] as const;
export const TECHNICIAN_KINDS = ['offer', 'offer-reminder', 'sla-warning', 'requester-replied'] as const;
export const COORDINATOR_KINDS = ['escalation', 'breach', 'storm', 'approval-overdue'] as const;
/** A service request's approvers (#17): `approver.request`, `approver.reminder`. */
export const APPROVER_KINDS = ['request', 'reminder'] as const;
export const TEMPLATE_KINDS = [...REQUESTER_KINDS, ...TECHNICIAN_KINDS, ...COORDINATOR_KINDS, ...APPROVER_KINDS] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export type Audience = 'requester' | 'technician' | 'coordinator' | 'approver';

/** What a template needs to know about the ticket. */
export interface TicketInfo {
  number: number | string;
  subject: string;
  priority: Priority;
  category?: string | null;
  tier?: Tier;
}

interface Base {
  ticket: TicketInfo;
  /** IANA zone for dates in the text; defaults to Europe/Paris (the contract's HELPDESK_TIMEZONE default). */
  timeZone?: string;
}

interface ToRequester extends Base {
  requesterName?: string | null;
}

export interface OutageInfo {
  title: string;
  message?: string | null;
}

export interface SuggestedArticleLink {
  title: string;
  link: string;
}

export type OmissionReason = 'too_large' | 'total_too_large' | 'blocked_type' | 'too_many' | 'unreadable';

export interface OmittedAttachment {
  filename: string;
  reason: OmissionReason;
  sizeBytes?: number;
}

export type SlaTarget = 'respond' | 'resolve';

/**
 * What an approver is asked (#17). `details`: the request's fields as "label: value" lines;
 * `link`: the approval's page (`PUBLIC_URL/approvals/<code>`, notify/approval-link.ts), absent
 * when the desk has no secret to make codes with; `bySms`: the approver was asked on a phone, from
 * which YES/NO answers.
 */
export interface ApprovalAsk extends Base {
  approverName?: string | null;
  requesterName?: string | null;
  itemName: string;
  details: string;
  link?: string;
  bySms: boolean;
}

export interface TemplateContexts {
  /**
   * `articles`: published articles that may solve it, each with its link (notify/article-link.ts);
   * `awaitingApproval`: a service request whose approvers were asked (#17): no technician yet.
   */
  created: ToRequester & { outages?: OutageInfo[]; articles?: SuggestedArticleLink[]; awaitingApproval?: boolean };
  assigned: ToRequester & { technicianName?: string | null };
  /** `question`: what the technician needs from the requester, when they said. */
  pending: ToRequester & { question?: string | null };
  escalated: ToRequester;
  resolved: ToRequester & { resolution: string };
  closed: ToRequester;
  'omitted-attachments': ToRequester & {
    omitted: OmittedAttachment[];
    limits?: { maxBytes?: number; maxTotalBytes?: number; maxCount?: number };
  };
  /**
   * `attempt` > 1 for the repeats of a P1 offer. `link`: the offer's page for the technician's phone
   * (`PUBLIC_URL/o/<code>`, notify/offer-link.ts), in the SMS only.
   */
  offer: Base & { summary?: string; requesterName?: string | null; timeoutMinutes?: number; attempt?: number; link?: string };
  'offer-reminder': Base & { minutesLeft: number };
  'sla-warning': Base & { target: SlaTarget; dueAt: Date | string };
  'requester-replied': Base & { requesterName?: string | null; excerpt: string; channel?: Channel };
  /** The outage their ticket was linked to is over (#16): told once per requester, about their newest linked ticket. */
  'outage-ended': ToRequester & { outage: OutageInfo };
  /**
   * Several tickets that look like one cause within minutes (#16): `ticket` is the group's earliest,
   * `tickets` all of them; `link`, the console's outages page where the group can be declared an
   * outage or opened as a problem in one step.
   */
  storm: Base & { tickets: { number: number | string; subject: string }[]; link?: string | null };
  /** A service request not approved (#17): `comment`, the approver's reason. */
  rejected: ToRequester & { comment: string };
  request: ApprovalAsk;
  reminder: ApprovalAsk;
  /** A request whose approvers did not answer the reminder (#17): `waitingFor`, who was asked; `askedAt`, since when. */
  'approval-overdue': Base & { requesterName?: string | null; itemName: string; waitingFor: string[]; askedAt: Date | string };
  escalation: Base & { reason: string; fromTier: Tier; toTier: Tier; by?: string | null; assigneeName?: string | null };
  breach: Base & { target: SlaTarget; dueAt: Date | string; assigneeName?: string | null };
}

/**
 * A piece of an email body. Strings are paragraphs; every string is escaped in the HTML part, so
 * templates interpolate user text freely. Falsy entries are skipped, for conditional paragraphs.
 */
export type Block = string | { quote: string } | { list: string[] } | false | null | undefined;

/** What a language file writes for one kind. */
export interface Message {
  /** Without the `[HD-n]` tag: render() adds it, so an edit cannot lose it. */
  subject: string;
  body: Block[];
  /** Build it with the `sms` tag of format.ts so it stays GSM-7 and within one segment. */
  sms: string;
}

export type Templates = { [K in TemplateKind]: (ctx: TemplateContexts[K]) => Message };

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

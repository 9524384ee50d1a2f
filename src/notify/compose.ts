import { CHANNELS, PRIORITIES, TIERS, type Channel, type Language, type Priority, type Tier } from '../domain/values.js';
import type { ApprovalInfo, Ticket } from '../domain/ticket.js';
import {
  render,
  TEMPLATE_KINDS,
  type OmittedAttachment,
  type OutageInfo,
  type Rendered,
  type SlaTarget,
  type SuggestedArticleLink,
  type TemplateKind,
  type TicketInfo,
} from './templates/index.js';
import { renderReply } from './templates/reply.js';

/**
 * From an outbox row to the words of the message: the row's payload (a snapshot taken when the
 * change happened) says what to tell, the ticket as it is now and the change's own event fill in
 * what the snapshot lacks. Pure; the facts are loaded by the caller.
 */

export interface Facts {
  /** The ticket as it is now; null for a row without a ticket. */
  ticket: Ticket | null;
  /** The event that caused the notification (its data: an escalation's reason and tiers…). */
  cause: { type: string; actor: string; data: Record<string, unknown> } | null;
  /** A service request's item, fields and approvals (#17), read for the rows about its approval only. */
  request?: RequestFacts | null;
}

export interface RequestFacts {
  item: { name: string };
  fields: Record<string, string | number | boolean>;
  approvals: Pick<ApprovalInfo, 'id' | 'approver' | 'decision'>[];
}

/** The row cannot be rendered (unknown kind, no ticket number): retrying will not help. */
export class ComposeError extends Error {
  override readonly name = 'ComposeError';
}

/** Outbox kind `sms.text`: the payload's `text` goes out as it is (the voice menu texting a number). */
export const VERBATIM_SMS_KIND = 'sms.text';

/** `requester.created` → `created`: the outbox kind names its audience, the template does not. */
export function templateKindOf(kind: string): TemplateKind | undefined {
  const name = kind.slice(kind.indexOf('.') + 1);
  return (TEMPLATE_KINDS as readonly string[]).includes(name) ? (name as TemplateKind) : undefined;
}

type Payload = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const record = (v: unknown): Payload => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Payload) : {});
const oneOf = <T extends string | number>(values: readonly T[], v: unknown): T | undefined =>
  (values as readonly unknown[]).includes(v) ? (v as T) : undefined;
const tierOf = (v: unknown): Tier | undefined => oneOf(TIERS, num(v));
const target = (v: unknown): SlaTarget => (v === 'respond' ? 'respond' : 'resolve');

function outagesOf(v: unknown): OutageInfo[] {
  if (!Array.isArray(v)) return [];
  // openTicket snapshots the titles; other writers may give {title, message}.
  return v.flatMap((o): OutageInfo[] => {
    if (typeof o === 'string') return o.trim() ? [{ title: o }] : [];
    const title = str(record(o).title);
    return title ? [{ title, message: str(record(o).message) ?? null }] : [];
  });
}

function omittedOf(v: unknown): OmittedAttachment[] {
  if (!Array.isArray(v)) return [];
  const reasons = ['too_large', 'total_too_large', 'blocked_type', 'too_many', 'unreadable'] as const;
  return v.flatMap((o): OmittedAttachment[] => {
    const r = record(o);
    const filename = str(r.filename);
    const reason = oneOf(reasons, r.reason);
    if (!filename || !reason) return [];
    const sizeBytes = num(r.sizeBytes);
    return [sizeBytes === undefined ? { filename, reason } : { filename, reason, sizeBytes }];
  });
}

/** A storm's tickets, as its alert snapshots them: `{number, subject}` each. */
function groupOf(v: unknown): { number: number; subject: string }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((t) => {
    const number = num(record(t).number);
    return number === undefined ? [] : [{ number, subject: str(record(t).subject) ?? '' }];
  });
}

/** The first line of the description, as the one-line summary of an offer. */
function summaryOf(ticket: Ticket | null): string | undefined {
  const line = ticket?.description.split(/\r?\n/).find((l) => l.trim() !== '');
  return line ? line.trim() : undefined;
}

function ticketInfo(p: Payload, facts: Facts): TicketInfo {
  const t = facts.ticket;
  const number = num(p.number) ?? t?.number;
  if (number === undefined) throw new ComposeError('the notification names no ticket number');
  const escalatedTo = facts.cause?.type === 'escalated' ? tierOf(record(facts.cause.data.to).tier) : undefined;
  const tier = escalatedTo ?? t?.tier;
  return {
    number,
    subject: str(p.subject) ?? t?.subject ?? '',
    priority: oneOf<Priority>(PRIORITIES, p.priority) ?? t?.priority ?? 'P3',
    category: p.category === null ? null : (str(p.category) ?? t?.category ?? null),
    ...(tier ? { tier } : {}),
  };
}

function dueOf(p: Payload, t: Ticket | null, which: SlaTarget): string {
  return str(p.dueAt) ?? (which === 'respond' ? t?.sla.respondBy : t?.sla.resolveBy) ?? new Date().toISOString();
}

/** How the coordinator is told who did not answer: their name, with their address or phone. */
function approverLabel(a: ApprovalInfo['approver']): string {
  const contact = [a.email, a.phone].filter((c): c is string => c !== undefined).join(', ');
  return a.name ? (contact ? `${a.name} (${contact})` : a.name) : contact;
}

/** The request's fields as "label: value" lines: the ticket's description says them so, unless it was written. */
function detailsOf(t: Ticket | null, request: RequestFacts | null | undefined): string {
  const written = t?.description.trim();
  if (written) return written;
  return Object.entries(request?.fields ?? {})
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('\n');
}

/**
 * A request's acknowledgement says it waits for approval: as openRequest snapshot it (payload
 * `request.awaitingApproval`), else as the ticket is now.
 */
function awaitingApprovalOf(p: Payload, t: Ticket | null): boolean {
  const said = record(p.request).awaitingApproval;
  return typeof said === 'boolean' ? said : t?.status === 'awaiting_approval';
}

/** Outbox kind `requester.reply`: a person's words (payload `reply`, signed by `author`), not a template's. */
const REPLY_KIND = 'requester.reply';

/**
 * Renders a row in its language; every channel's form (subject, text, HTML, SMS). `offerLink`: the
 * link an offer's SMS carries (notify/offer-link.ts), when it has one; `articles`: the articles a
 * new ticket's acknowledgement suggests, with their (masked) links (notify/article-link.ts);
 * `approvalLink`: the (masked) page where an approver answers a request (notify/approval-link.ts).
 */
export function composeMessage(
  row: { kind: string; language: Language; payload: Payload },
  facts: Facts,
  timeZone: string,
  offerLink?: string,
  articles: SuggestedArticleLink[] = [],
  approvalLink?: string,
): Rendered {
  if (row.kind === REPLY_KIND) {
    const body = str(row.payload.reply);
    if (!body) throw new ComposeError('a reply to the requester without its text');
    return renderReply(row.language, { ticket: ticketInfo(row.payload, facts), body, author: str(row.payload.author) ?? null });
  }
  const kind = templateKindOf(row.kind);
  if (!kind) throw new ComposeError(`no template for notification kind ${row.kind}`);
  const p = row.payload;
  const t = facts.ticket;
  const lang = row.language;
  const base = { ticket: ticketInfo(p, facts), timeZone };
  const requesterName = str(p.requesterName) ?? t?.requester.name ?? null;
  const assigneeName = str(p.technicianName) ?? t?.assignee?.name ?? null;
  const cause = facts.cause?.data ?? {};

  switch (kind) {
    case 'created':
      return render(kind, lang, {
        ...base,
        requesterName,
        outages: outagesOf(p.outages),
        articles,
        awaitingApproval: awaitingApprovalOf(p, t),
      });
    case 'rejected':
      return render(kind, lang, {
        ...base,
        requesterName,
        comment: str(p.comment) ?? str(cause.comment) ?? t?.resolution ?? '',
      });
    case 'request':
    case 'reminder': {
      const approval = facts.request?.approvals.find((a) => a.id === p.approvalId);
      return render(kind, lang, {
        ...base,
        requesterName,
        approverName: approval?.approver.name ?? null,
        itemName: facts.request?.item.name ?? str(p.itemName) ?? base.ticket.subject,
        details: detailsOf(t, facts.request),
        bySms: approval?.approver.phone !== undefined,
        ...(approvalLink ? { link: approvalLink } : {}),
      });
    }
    case 'approval-overdue':
      return render(kind, lang, {
        ...base,
        requesterName,
        itemName: facts.request?.item.name ?? str(p.itemName) ?? base.ticket.subject,
        waitingFor: (facts.request?.approvals ?? []).filter((a) => a.decision === null).map((a) => approverLabel(a.approver)),
        askedAt: str(p.askedAt) ?? t?.createdAt ?? new Date().toISOString(),
      });
    case 'assigned':
      return render(kind, lang, { ...base, requesterName, technicianName: assigneeName });
    case 'pending':
      return render(kind, lang, { ...base, requesterName, question: str(p.question) ?? null });
    case 'escalated':
      return render(kind, lang, { ...base, requesterName });
    case 'resolved':
      return render(kind, lang, {
        ...base,
        requesterName,
        resolution: str(p.resolution) ?? str(cause.resolution) ?? t?.resolution ?? '',
      });
    case 'closed':
      return render(kind, lang, { ...base, requesterName });
    case 'omitted-attachments': {
      const limits = record(p.limits);
      const maxBytes = num(limits.maxBytes);
      const maxTotalBytes = num(limits.maxTotalBytes);
      const maxCount = num(limits.maxCount);
      return render(kind, lang, {
        ...base,
        requesterName,
        omitted: omittedOf(p.omitted),
        limits: {
          ...(maxBytes !== undefined ? { maxBytes } : {}),
          ...(maxTotalBytes !== undefined ? { maxTotalBytes } : {}),
          ...(maxCount !== undefined ? { maxCount } : {}),
        },
      });
    }
    case 'offer': {
      const summary = str(p.summary) ?? summaryOf(t);
      const timeoutMinutes = num(p.timeoutMinutes);
      const attempt = num(p.attempt);
      return render(kind, lang, {
        ...base,
        requesterName,
        ...(summary ? { summary } : {}),
        ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
        ...(attempt !== undefined ? { attempt } : {}),
        ...(offerLink ? { link: offerLink } : {}),
      });
    }
    case 'offer-reminder':
      return render(kind, lang, { ...base, minutesLeft: num(p.minutesLeft) ?? 5 });
    case 'sla-warning': {
      const which = target(p.target);
      return render(kind, lang, { ...base, target: which, dueAt: dueOf(p, t, which) });
    }
    case 'requester-replied': {
      const channel = oneOf<Channel>(CHANNELS, p.channel);
      return render(kind, lang, { ...base, requesterName, excerpt: str(p.excerpt) ?? '', ...(channel ? { channel } : {}) });
    }
    case 'escalation': {
      const from = tierOf(record(cause.from).tier) ?? tierOf(p.fromTier);
      const to = tierOf(record(cause.to).tier) ?? tierOf(p.toTier) ?? base.ticket.tier ?? 1;
      return render(kind, lang, {
        ...base,
        reason: str(p.reason) ?? str(cause.reason) ?? '',
        fromTier: from ?? (Math.max(1, to - 1) as Tier),
        toTier: to,
        by: str(p.by) ?? null,
        assigneeName,
      });
    }
    case 'outage-ended': {
      const outage = record(p.outage);
      return render(kind, lang, {
        ...base,
        requesterName,
        outage: { title: str(outage.title) ?? '', message: str(outage.message) ?? null },
      });
    }
    case 'storm':
      return render(kind, lang, { ...base, tickets: groupOf(p.tickets), link: str(p.link) ?? null });
    case 'breach': {
      const which = target(p.target);
      return render(kind, lang, { ...base, target: which, dueAt: dueOf(p, t, which), assigneeName });
    }
  }
}

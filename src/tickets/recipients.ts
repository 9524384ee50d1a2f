import type { Channel, Language } from '../domain/values.js';
import type { Notification } from '../store/outbox-repository.js';
import { isNoReplyAddress } from '../mail/addresses.js';

/**
 * Who hears what: a pure function from a ticket change to the notifications it owes. The lifecycle
 * writes them to the outbox in the change's own transaction; the workers render and send them.
 */
export type NotificationKind =
  | 'requester.created'
  | 'requester.assigned'
  | 'requester.pending'
  | 'requester.escalated'
  | 'requester.resolved'
  | 'requester.closed'
  | 'requester.omitted-attachments'
  | 'technician.offer'
  | 'technician.offer-reminder'
  | 'technician.sla-warning'
  | 'technician.requester-replied'
  | 'coordinator.escalation'
  | 'coordinator.breach';

export interface RecipientContext {
  /** The event row that caused the notifications: part of every idempotency key. */
  causeId: string;
  ticket: {
    id: string;
    number: number;
    channel: Channel;
    subject: string;
    priority: string;
    category: string | null;
    resolution: string | null;
  };
  requester: { name?: string | null; emails: string[]; phones: string[]; language: Language | null };
  watchers: { email?: string; phone?: string }[];
  technician: { id: string; name?: string; phone: string | null; email: string | null; language: Language } | null;
  coordinator: { email: string | undefined; phone: string | undefined };
  defaultLanguage: Language;
  extra?: Record<string, unknown>;
}

/** Kinds that answer a message the requester sent: RFC 3834's `auto-replied` rather than `auto-generated`. */
export const REPLY_KINDS: readonly string[] = ['requester.created', 'requester.omitted-attachments'];

/** Requester kinds the watchers (CC) do not hear: the survey and a note about their own attachments. */
const REQUESTER_ONLY: readonly string[] = ['requester.closed', 'requester.omitted-attachments'];

export function notificationsFor(kind: NotificationKind, ctx: RecipientContext): Notification[] {
  // A snapshot of the facts at the time of the change: the worker renders from it, so a message
  // says what was true when it was caused, however late it goes out. `causeId` lets the worker read
  // the cause's own data (an escalation's reason and tiers).
  const payload = {
    causeId: ctx.causeId,
    number: ctx.ticket.number,
    subject: ctx.ticket.subject,
    priority: ctx.ticket.priority,
    category: ctx.ticket.category,
    resolution: ctx.ticket.resolution,
    requesterName: ctx.requester.name ?? null,
    ...(ctx.technician?.name ? { technicianName: ctx.technician.name } : {}),
    ...ctx.extra,
  };
  const make = (channel: 'sms' | 'email', recipient: string, language: Language): Notification => ({
    idempotencyKey: `${ctx.causeId}:${kind}:${channel}:${recipient}`,
    ticketId: ctx.ticket.id,
    kind,
    channel,
    recipient,
    language,
    payload,
  });

  if (kind.startsWith('requester.')) {
    const language = ctx.requester.language ?? ctx.defaultLanguage;
    const out: Notification[] = [];
    const email = ctx.requester.emails.find((e) => !isNoReplyAddress(e));
    const phone = ctx.requester.phones[0];
    // A caller or texter hears back by SMS; an emailer, and a web requester with an address, by email.
    const bySms = ctx.ticket.channel === 'voice' || ctx.ticket.channel === 'sms' || !email;
    if (bySms && phone) out.push(make('sms', phone, language));
    else if (email) out.push(make('email', email, language));
    if (!REQUESTER_ONLY.includes(kind)) {
      const seen = new Set([email?.toLowerCase()]);
      for (const w of ctx.watchers) {
        const address = w.email?.trim();
        if (!address || isNoReplyAddress(address) || seen.has(address.toLowerCase())) continue;
        seen.add(address.toLowerCase());
        out.push(make('email', address, language));
      }
    }
    return out;
  }

  if (kind.startsWith('technician.')) {
    const t = ctx.technician;
    if (!t) return [];
    if (t.phone) return [make('sms', t.phone, t.language)];
    return t.email ? [make('email', t.email, t.language)] : [];
  }

  // Coordinator: always by email; by SMS too when the ticket is P1, so that it wakes someone.
  const out: Notification[] = [];
  if (ctx.coordinator.email) out.push(make('email', ctx.coordinator.email, ctx.defaultLanguage));
  if (ctx.coordinator.phone && ctx.ticket.priority === 'P1') out.push(make('sms', ctx.coordinator.phone, ctx.defaultLanguage));
  return out;
}

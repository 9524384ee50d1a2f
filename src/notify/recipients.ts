import type { Channel, Language } from '../domain.js';
import type { Notification } from '../store/outbox-repository.js';

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
  requester: { emails: string[]; phones: string[]; language: Language | null };
  watchers: { email?: string; phone?: string }[];
  technician: { id: string; phone: string | null; email: string | null; language: Language } | null;
  coordinator: { email: string | undefined; phone: string | undefined };
  defaultLanguage: Language;
  extra?: Record<string, unknown>;
}

const NO_REPLY = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)(?:[+.-][^@]*)?@/i;

export function notificationsFor(kind: NotificationKind, ctx: RecipientContext): Notification[] {
  const payload = {
    number: ctx.ticket.number,
    subject: ctx.ticket.subject,
    priority: ctx.ticket.priority,
    category: ctx.ticket.category,
    resolution: ctx.ticket.resolution,
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
    const email = ctx.requester.emails.find((e) => !NO_REPLY.test(e));
    const phone = ctx.requester.phones[0];
    // A caller or texter hears back by SMS; an emailer, and a web requester with an address, by email.
    const bySms = ctx.ticket.channel === 'voice' || ctx.ticket.channel === 'sms' || !email;
    if (bySms && phone) out.push(make('sms', phone, language));
    else if (email) out.push(make('email', email, language));
    if (kind !== 'requester.closed') {
      for (const w of ctx.watchers) {
        if (w.email && !NO_REPLY.test(w.email) && w.email !== email) out.push(make('email', w.email, language));
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

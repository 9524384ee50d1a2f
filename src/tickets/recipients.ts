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
  | 'requester.reply'
  /** A service request refused by its approvers (#17): the requester told why (payload `comment`). */
  | 'requester.rejected'
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

/**
 * Kinds a person wrote (a technician's or coordinator's reply): no `Auto-Submitted` at all, since
 * RFC 3834 marks only what a program sent on its own, and the requester's mail rules must treat it
 * as a person's message (an out-of-office answers it, as it would any colleague's).
 */
export const PERSONAL_KINDS: readonly string[] = ['requester.reply'];

/** Requester kinds the watchers (CC) do not hear: the survey, a note about their own attachments, why their request was refused. */
const REQUESTER_ONLY: readonly string[] = ['requester.closed', 'requester.omitted-attachments', 'requester.rejected'];

/** How the desk reaches a requester. */
export interface RequesterRoute {
  channel: 'sms' | 'email';
  to: string;
}

/**
 * By the channel they used: a caller or texter by SMS (by email when they have no phone), an emailer
 * and a web requester with an address by email (by SMS when they have none). Null: no way to reach them.
 */
export function requesterRoute(
  ticketChannel: Channel,
  requester: { emails: readonly string[]; phones: readonly string[] },
): RequesterRoute | null {
  const email = requester.emails.find((e) => !isNoReplyAddress(e));
  const phone = requester.phones[0];
  const bySms = ticketChannel === 'voice' || ticketChannel === 'sms' || !email;
  if (bySms && phone) return { channel: 'sms', to: phone };
  return email ? { channel: 'email', to: email } : null;
}

/** The watchers' addresses, once each, without no-reply ones and without `except` (the requester's own). */
function watcherEmails(watchers: RecipientContext['watchers'], except: string | undefined): string[] {
  const seen = new Set([except?.toLowerCase()]);
  const out: string[] = [];
  for (const w of watchers) {
    const address = w.email?.trim();
    if (!address || isNoReplyAddress(address) || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

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
  const make = (channel: 'sms' | 'email', recipient: string, language: Language, more: Record<string, unknown> = {}): Notification => ({
    idempotencyKey: `${ctx.causeId}:${kind}:${channel}:${recipient}`,
    ticketId: ctx.ticket.id,
    kind,
    channel,
    recipient,
    language,
    payload: { ...payload, ...more },
  });

  if (kind.startsWith('requester.')) {
    const language = ctx.requester.language ?? ctx.defaultLanguage;
    const route = requesterRoute(ctx.ticket.channel, ctx.requester);
    const email = ctx.requester.emails.find((e) => !isNoReplyAddress(e));
    const copied = REQUESTER_ONLY.includes(kind) ? [] : watcherEmails(ctx.watchers, email);
    // A person's reply by email shows the requester in To and the watchers in Cc, as a mail client
    // would, so that a reply-all keeps everyone in one conversation; each addressee still gets a
    // copy (a row) of their own, so that a bounce, a refusal or a retry is one person's.
    // Payload `to` and `cc`: what the header shows, not who the row goes to.
    const shown = PERSONAL_KINDS.includes(kind) && route?.channel === 'email' && copied.length > 0;
    const more = shown ? { to: [route.to], cc: copied } : {};
    const out: Notification[] = route ? [make(route.channel, route.to, language, route.channel === 'email' ? more : {})] : [];
    for (const address of copied) out.push(make('email', address, language, more));
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

import type { TicketEvent, TicketMessage } from '../../../domain/ticket.js';
import { html, type Html } from '../../html.js';
import { common, formatDateTime, formatDuration } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import { originalKey, type TicketView } from './model.js';
import { approverName, decisionWord, requestTexts, viaWord } from './request.js';
import type { TicketTexts } from './texts.js';

/**
 * The ticket's story: its events and messages merged in time order, oldest first. Messages sent by
 * the notifier are folded (their `notified` events add nothing the message does not show).
 */

/** Events the timeline leaves out: each is shown by the outbound message it stands for. */
const FOLDED = new Set(['notified']);

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {};

/** Only web links are links: a URL from a webhook must never become `javascript:` in an href. */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

interface Context {
  view: TicketView;
  viewer: Viewer;
  t: TicketTexts;
}

/** Who did it, as a person reads it: a technician's name, the requester's, or which part of the desk. */
function actorName(actor: string, { view, t }: Context): string {
  if (actor === 'coordinator') return t.actorCoordinator;
  const [kind, id = ''] = actor.split(/:(.*)/s);
  if (kind === 'technician') return view.names.get(id) ?? t.actorUnknownTechnician;
  if (kind === 'requester')
    return view.ticket.requester.name ?? view.ticket.requester.email ?? view.ticket.requester.phone ?? t.actorRequester;
  // An approver is named by the email or phone they were asked at (#17): their name when the request knows it.
  if (kind === 'approver') {
    const asked = view.ticket.request?.approvals.find((a) => a.approver.email === id || a.approver.phone === id);
    return asked ? approverName(asked.approver) : id;
  }
  if (kind === 'system') {
    if (id === 'routing') return t.actorRouting;
    if (id === 'notify') return t.actorNotify;
    if (id === 'timers') return t.actorTimers;
    return t.actorSystem(id);
  }
  return actor;
}

function technicianName(id: unknown, ctx: Context): string {
  const key = str(id);
  return key ? (ctx.view.names.get(key) ?? ctx.t.actorUnknownTechnician) : common(ctx.viewer.lang).nobody;
}

function channelWord(channel: unknown, ctx: Context): string {
  const c = common(ctx.viewer.lang);
  switch (channel) {
    case 'voice':
      return c.channel_voice;
    case 'email':
      return c.channel_email;
    case 'sms':
      return c.channel_sms;
    case 'web':
      return c.channel_web;
    default:
      return String(channel ?? '');
  }
}

function statusWord(status: unknown, ctx: Context): string {
  const c = common(ctx.viewer.lang);
  switch (status) {
    case 'awaiting_approval':
    case 'new':
    case 'assigned':
    case 'in_progress':
    case 'pending':
    case 'resolved':
    case 'closed':
      return c[`status_${status}`];
    default:
      return String(status ?? '');
  }
}

const clockWord = (clock: unknown, t: TicketTexts) =>
  clock === 'response' ? t.clock_response : clock === 'resolution' ? t.clock_resolution : String(clock ?? '');

function recordingLink(url: string | null, seconds: number | null, ctx: Context): Html {
  const href = safeUrl(url);
  if (!href) return html``;
  const label = seconds === null ? ctx.t.recording : ctx.t.recordingOf(formatDuration(seconds, ctx.viewer.lang));
  return html`<a class="recording" href="${href}" rel="noreferrer">${label}</a>`;
}

/** What an event says, in a line, and the text it carries (a note, a reason) below it. */
function describe(event: TicketEvent, ctx: Context): { line: string; text?: string | null; extra?: Html; internal?: boolean } {
  const { t } = ctx;
  const d = event.data;
  switch (event.type) {
    case 'created': {
      // A web ticket has no message: its description is the request. Others' first message says it.
      const told = ctx.view.ticket.messages.some((m) => m.direction === 'in');
      return { line: t.ev_created(channelWord(d.channel, ctx)), text: told ? null : ctx.view.ticket.description };
    }
    case 'assigned':
      return { line: t.ev_assigned(technicianName(d.technicianId, ctx)) };
    case 'accepted':
      return { line: t.ev_accepted(technicianName(d.technicianId, ctx)) };
    case 'declined':
      return { line: t.ev_declined(technicianName(d.technicianId, ctx)), text: str(d.reason) };
    case 'offer_expired':
      return { line: t.ev_offer_expired(technicianName(d.technicianId, ctx)) };
    case 'offer_reminder':
      return { line: t.ev_offer_reminder };
    case 'offer_renewed':
      return { line: t.ev_offer_renewed };
    case 'unassigned':
      return { line: t.ev_unassigned };
    case 'queued':
      return { line: t.ev_queued, text: str(record(d.why).reason) };
    case 'status_changed':
      return { line: t.ev_status_changed(statusWord(d.from, ctx), statusWord(d.to, ctx)) };
    case 'updated': {
      const before = record(d.before);
      const after = record(d.after);
      const changes = Object.keys(after).map((k) => `${k}: ${String(before[k] ?? '—')} → ${String(after[k] ?? '—')}`);
      return { line: t.ev_updated, text: changes.join('\n') };
    }
    case 'note':
      return { line: t.ev_note, text: str(d.body), internal: d.internal === true };
    case 'reply':
      return { line: t.ev_reply(channelWord(d.channel, ctx)), text: str(d.body) };
    case 'escalated': {
      const from = record(d.from);
      const to = record(d.to);
      return { line: t.ev_escalated(num(from.tier) ?? 0, num(to.tier) ?? 0), text: str(d.reason) };
    }
    case 'resolved':
      return { line: t.ev_resolved, text: str(d.resolution) };
    case 'reopened':
      return { line: t.ev_reopened, text: str(d.reason) };
    case 'sla_warning':
      return { line: t.ev_sla_warning(clockWord(d.clock, t)) };
    case 'sla_breached':
      return { line: t.ev_sla_breached(clockWord(d.clock, t)) };
    case 'linked_to_outage': {
      const outage = ctx.view.outages.find((o) => o.id === d.outageId);
      return { line: t.ev_linked_to_outage(outage?.title ?? '—') };
    }
    case 'outage_ended':
      return { line: t.ev_outage_ended(str(d.title) ?? '—') };
    case 'linked_to_problem':
      return { line: t.ev_linked_to_problem(str(d.title) ?? '—') };
    case 'recording_attached':
      return { line: t.ev_recording_attached, extra: recordingLink(str(d.url), num(d.durationSeconds), ctx) };
    case 'transcript_added':
      return { line: t.ev_transcript_added, text: str(d.text) };
    case 'call_status':
      return { line: t.ev_call_status(str(d.status) ?? str(d.outcome) ?? '') };
    case 'requester_replied':
      return { line: t.ev_requester_replied };
    case 'approval': {
      // "Approved by Marc Petit by SMS", with the comment below: who, how and why, for the audit.
      const r = requestTexts(ctx.viewer.lang);
      return { line: r.ev_approval(decisionWord(d.decision, r), actorName(event.actor, ctx), viaWord(d.via, r)), text: str(d.comment) };
    }
    case 'satisfaction':
      return { line: t.ev_satisfaction(String(d.score ?? d.rating ?? '?')) };
    case 'notification_failed':
      return { line: t.ev_notification_failed(String(d.kind ?? '')), text: str(d.error) };
    case 'notification_bounced':
      return { line: t.ev_notification_bounced, text: str(d.reason) ?? str(d.error) };
    case 'notification_retried':
      return { line: t.ev_notification_retried };
    case 'notification_superseded':
      return { line: t.ev_notification_superseded };
    default:
      return { line: t.ev_other(event.type) };
  }
}

function eventItem(event: TicketEvent, ctx: Context): Html {
  const { line, text, extra, internal } = describe(event, ctx);
  const kind = event.type.replace(/[^a-z_]/g, '');
  return html`<li class="entry event event-${kind}${internal ? ' internal' : ''}">
    <p class="entry-head">
      <time datetime="${event.at}">${formatDateTime(event.at, ctx.viewer)}</time>
      <span class="actor">${actorName(event.actor, ctx)}</span>
      <span class="what">${line}</span>
      ${event.type === 'note' ? html`<span class="tag">${internal ? ctx.t.internal : ctx.t.public}</span>` : ''}
    </p>
    ${text ? html`<p class="text">${text}</p>` : ''} ${extra ?? ''}
  </li>`;
}

/** The recordings of a call: they arrive as events after the call's message, by URL. */
function callRecordings(events: readonly TicketEvent[], ctx: Context): Html[] {
  const links: Html[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const url = e.type === 'recording_attached' ? str(e.data.url) : e.type === 'created' ? str(e.data.recordingUrl) : null;
    if (!url || seen.has(url)) continue;
    seen.add(url);
    links.push(recordingLink(url, e.type === 'recording_attached' ? num(e.data.durationSeconds) : null, ctx));
  }
  return links;
}

/** A message's id in the page, the same at every render: the live layer keeps what the reader opened (assets/ticket.js). */
const domId = (prefix: string, message: TicketMessage) => `${prefix}-${message.channel}-${message.externalId.replace(/\s+/g, '_')}`;

function messageItem(message: TicketMessage, ctx: Context): Html {
  const { t, viewer, view } = ctx;
  const channel = message.channel === 'voice' ? t.call : channelWord(message.channel, ctx);
  const original = view.originals.get(originalKey(message));
  const party = message.direction === 'in' ? (message.from ? t.from(message.from) : '') : message.to ? t.sentTo(message.to) : '';
  const head = html`<time datetime="${message.at}">${formatDateTime(message.at, viewer)}</time>
    <span class="what">${message.direction === 'in' ? t.inbound(channel) : t.outbound(channel)}</span>
    <span class="party">${party}</span>
    ${message.status ? html`<span class="tag">${t.deliveryStatus(message.status)}</span>` : ''}`;
  const media = (original?.media ?? []).map((m) => {
    const href = safeUrl(m.url);
    const name = m.filename ?? m.contentType ?? t.media;
    return href ? html`<li><a href="${href}" rel="noreferrer">${name}</a></li>` : html`<li>${name}</li>`;
  });
  const body = html`${message.subject ? html`<p class="subject">${message.subject}</p>` : ''}
    <p class="text">${message.body}</p>
    ${
      original?.quoted
        ? html`<details class="original" id="${domId('original', message)}">
            <summary>${t.fullOriginal}</summary>
            <div class="quoted">
              <p class="text">${message.body}</p>
              <p class="text">${original.quoted}</p>
            </div>
          </details>`
        : ''
    }
    ${message.channel === 'voice' && message.direction === 'in' ? html`<p class="links">${callRecordings(view.ticket.events, ctx)}</p>` : ''}
    ${
      media.length > 0
        ? html`<ul class="media">
            ${media}
          </ul>`
        : ''
    }`;
  // What the desk sent (notices, replies once delivered) is folded to its first line: the
  // requester's own words and the people's actions are what a reader scans for.
  if (message.direction === 'out') {
    return html`<li class="entry message out channel-${message.channel}">
      <details id="${domId('sent', message)}">
        <summary class="entry-head">${head}</summary>
        ${body}
      </details>
    </li>`;
  }
  return html`<li class="entry message in channel-${message.channel}">
    <p class="entry-head">${head}</p>
    ${body}
  </li>`;
}

/** The live region `ticket-timeline`. */
export function timelineRegion(view: TicketView, viewer: Viewer, t: TicketTexts): Html {
  const ctx: Context = { view, viewer, t };
  const entries = [
    ...view.ticket.events.filter((e) => !FOLDED.has(e.type)).map((e, i) => ({ at: e.at, order: i, item: () => eventItem(e, ctx) })),
    // At the same instant a message comes after the events (the ticket is created, then its first message).
    ...view.ticket.messages.map((m, i) => ({ at: m.at, order: 1_000_000 + i, item: () => messageItem(m, ctx) })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  if (entries.length === 0) return html`<p>${t.emptyTimeline}</p>`;
  return html`<ol class="timeline">
    ${entries.map((e) => e.item())}
  </ol>`;
}

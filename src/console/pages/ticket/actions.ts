import { requesterRoute } from '../../../tickets/recipients.js';
import { html, type Html } from '../../html.js';
import { csrfField } from '../../layout.js';
import type { Viewer } from '../../viewer.js';
import type { TicketView } from './model.js';
import { readReason } from './reasons.js';
import { requestTexts } from './request.js';
import type { TicketTexts } from './texts.js';

/** The forms of the ticket page; each posts to `/tickets/:number/<action>`. */
export const ACTIONS = [
  'accept',
  'decline',
  'reply',
  'notes',
  'escalate',
  'resolve',
  'close',
  'reopen',
  'reassign',
  'outage',
  'approve',
  'reject',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** A form the desk refused: the message, beside its field when it has one, and what was typed, kept. */
export interface Refusal {
  action: ActionName;
  message: string;
  /** The form field the message is about; none: the message goes at the top of the page. */
  field?: string;
  values?: Record<string, string>;
}

interface Context {
  view: TicketView;
  viewer: Viewer;
  t: TicketTexts;
  refusal: Refusal | null;
}

const isOpen = (status: string) => status !== 'resolved' && status !== 'closed';
/** Open and past its approval: a request awaiting approval is only approved or rejected (the lifecycle allows nothing else). */
const isWorkable = (status: string) => isOpen(status) && status !== 'awaiting_approval';

function target(view: TicketView, action: ActionName): string {
  return `/tickets/${view.ticket.number}/${action}`;
}

/** A field's error, when the refusal is about it: the id its control's aria-describedby names. */
function fieldError(ctx: Context, action: ActionName, field: string): { id: string; message: string } | null {
  const r = ctx.refusal;
  return r && r.action === action && r.field === field ? { id: `${action}-${field}-error`, message: r.message } : null;
}

function typed(ctx: Context, action: ActionName, field: string): string {
  return ctx.refusal?.action === action ? (ctx.refusal.values?.[field] ?? '') : '';
}

/** A labelled textarea, marked invalid with its message beside it when the refusal names it. */
function textArea(ctx: Context, action: ActionName, field: string, label: string, options: { hint?: string; rows?: number } = {}): Html {
  const id = `${action}-${field}`;
  const error = fieldError(ctx, action, field);
  const described = [options.hint ? `${id}-hint` : null, error?.id].filter(Boolean).join(' ');
  return html`<label for="${id}">${label}</label>
    ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
    <textarea
      id="${id}"
      name="${field}"
      rows="${options.rows ?? 4}"
      ${described ? html` aria-describedby="${described}"` : ''}
      ${error ? html` aria-invalid="true" autofocus` : ''}
    >
${typed(ctx, action, field)}</textarea>
    ${error ? html`<p class="error" id="${error.id}">${error.message}</p>` : ''}`;
}

function form(ctx: Context, action: ActionName, body: Html, className = 'action'): Html {
  return html`<form method="post" action="${target(ctx.view, action)}" class="${className}">${csrfField(ctx.viewer)}${body}</form>`;
}

/**
 * The live region `ticket-quick`: the buttons that take no text (accept and decline an offer,
 * close, reopen). Live, so that an offer made or a ticket resolved elsewhere shows its buttons.
 */
export function quickRegion(view: TicketView, viewer: Viewer, t: TicketTexts): Html {
  const ctx: Context = { view, viewer, t, refusal: null };
  const { status } = view.ticket;
  const mayAnswerOffer = status === 'assigned' && view.ticket.assignee !== null;
  const buttons: Html[] = [];
  if (mayAnswerOffer) {
    buttons.push(form(ctx, 'accept', html`<button type="submit">${t.accept}</button>`, 'inline'));
    buttons.push(form(ctx, 'decline', html`<button type="submit" class="secondary">${t.decline}</button>`, 'inline'));
  }
  if (status === 'resolved') buttons.push(form(ctx, 'close', html`<button type="submit">${t.close}</button>`, 'inline'));
  if (status === 'resolved' || status === 'closed') {
    buttons.push(form(ctx, 'reopen', html`<button type="submit" class="secondary">${t.reopen}</button>`, 'inline'));
  }
  if (buttons.length === 0) return html``;
  return html`${mayAnswerOffer ? html`<p>${t.offer}</p>` : ''}
    <div class="buttons">${buttons}</div>`;
}

function replyForm(ctx: Context): Html {
  const { view, t } = ctx;
  const route = view.requester ? requesterRoute(view.ticket.channel, view.requester) : null;
  const hint = route ? t.replyHint(route.channel === 'email' ? t.replyByEmail(route.to) : t.replyBySms(route.to)) : t.replyNowhere;
  return html`<section class="panel" aria-labelledby="reply-title">
    <h2 id="reply-title">${t.replyHeading}</h2>
    ${form(ctx, 'reply', html`${textArea(ctx, 'reply', 'body', t.message, { hint, rows: 5 })}<button type="submit">${t.reply}</button>`)}
  </section>`;
}

function noteForm(ctx: Context): Html {
  const { t } = ctx;
  const internalChecked = ctx.refusal?.action === 'notes' ? ctx.refusal.values?.internal === 'on' : true;
  return html`<section class="panel" aria-labelledby="note-title">
    <h2 id="note-title">${t.noteHeading}</h2>
    ${form(
      ctx,
      'notes',
      html`${textArea(ctx, 'notes', 'body', t.note, { rows: 3 })}
        <p class="check">
          <input type="checkbox" id="notes-internal" name="internal" ${internalChecked ? html` checked` : ''} /><label
            class="inline"
            for="notes-internal"
            >${t.internalNote}</label
          >
        </p>
        <button type="submit">${t.addNote}</button>`,
    )}
  </section>`;
}

function resolveForm(ctx: Context): Html {
  const { t } = ctx;
  return html`<section class="panel" aria-labelledby="resolve-title">
    <h2 id="resolve-title">${t.resolveHeading}</h2>
    ${form(ctx, 'resolve', html`${textArea(ctx, 'resolve', 'resolution', t.resolution, { hint: t.resolutionHint, rows: 3 })}<button type="submit">${t.resolve}</button>`)}
  </section>`;
}

function escalateForm(ctx: Context): Html {
  const { t } = ctx;
  return html`<section class="panel" aria-labelledby="escalate-title">
    <h2 id="escalate-title">${t.escalateHeading}</h2>
    ${form(ctx, 'escalate', html`${textArea(ctx, 'escalate', 'reason', t.escalateReason, { rows: 2 })}<button type="submit">${t.escalate}</button>`)}
  </section>`;
}

function reassignForm(ctx: Context): Html {
  const { view, viewer, t } = ctx;
  if (view.choices.length === 0) return html``;
  const option = (c: TicketView['choices'][number]) =>
    html`<option value="${c.id}">${c.name} — ${c.reasons.map((r) => readReason(r, t, viewer)).join(', ')}</option>`;
  const ranked = view.choices.filter((c) => c.eligible);
  const others = view.choices.filter((c) => !c.eligible);
  const error = fieldError(ctx, 'reassign', 'assigneeId');
  return html`<section class="panel" aria-labelledby="reassign-title">
    <h2 id="reassign-title">${t.reassignHeading}</h2>
    ${form(
      ctx,
      'reassign',
      html`<label for="reassign-assigneeId">${t.reassignTo}</label>
        <select id="reassign-assigneeId" name="assigneeId" ${error ? html` aria-invalid="true" aria-describedby="${error.id}"` : ''}>
          ${ranked.length > 0 ? html`<optgroup label="${t.ranked}">${ranked.map(option)}</optgroup>` : ''}
          ${others.length > 0 ? html`<optgroup label="${t.others}">${others.map(option)}</optgroup>` : ''}
        </select>
        ${error ? html`<p class="error" id="${error.id}">${error.message}</p>` : ''}
        <button type="submit">${t.reassign}</button>`,
    )}
  </section>`;
}

function outageForm(ctx: Context): Html {
  const { view, t } = ctx;
  const choices = view.outages.filter((o) => o.id !== view.ticket.outageId);
  if (choices.length === 0) return html``;
  const error = fieldError(ctx, 'outage', 'outageId');
  return html`<section class="panel" aria-labelledby="outage-title">
    <h2 id="outage-title">${t.outageHeading}</h2>
    ${form(
      ctx,
      'outage',
      html`<label for="outage-outageId">${t.outageChoice}</label>
        <select id="outage-outageId" name="outageId" ${error ? html` aria-invalid="true" aria-describedby="${error.id}"` : ''}>
          ${choices.map((o) => html`<option value="${o.id}">${o.title}</option>`)}
        </select>
        ${error ? html`<p class="error" id="${error.id}">${error.message}</p>` : ''}
        <button type="submit">${t.linkOutage}</button>`,
    )}
  </section>`;
}

/**
 * A coordinator's decision on a request awaiting approval (#17), for every approver at once: Approve
 * alone, Reject with the comment the requester is told (refused without one, as by the API).
 */
function decisionForms(ctx: Context): Html {
  const r = requestTexts(ctx.viewer.lang);
  return html`<section class="panel decide" aria-labelledby="decide-title">
    <h2 id="decide-title">${r.decideHeading}</h2>
    <p class="hint">${r.decideHint}</p>
    ${form(ctx, 'approve', html`<button type="submit">${r.approve}</button>`)}
    ${form(ctx, 'reject', html`${textArea(ctx, 'reject', 'comment', r.rejectComment, { rows: 3 })}<button type="submit" class="secondary">${r.reject}</button>`)}
  </section>`;
}

/** The forms that take text or a choice, by what the viewer may do and what the ticket's status allows. */
export function actionForms(view: TicketView, viewer: Viewer, t: TicketTexts, refusal: Refusal | null): Html {
  const ctx: Context = { view, viewer, t, refusal };
  const coordinator = viewer.principal.role === 'coordinator';
  const { status } = view.ticket;
  return html`${coordinator && status === 'awaiting_approval' ? decisionForms(ctx) : ''} ${status !== 'closed' ? replyForm(ctx) : ''}
  ${noteForm(ctx)} ${isWorkable(status) ? resolveForm(ctx) : ''} ${isWorkable(status) ? escalateForm(ctx) : ''}
  ${coordinator && isWorkable(status) ? reassignForm(ctx) : ''} ${coordinator && status !== 'closed' ? outageForm(ctx) : ''}`;
}

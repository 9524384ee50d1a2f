import { reference } from '../../../domain/values.js';
import { html, type Html } from '../../html.js';
import { common, formatDateTime, formatDuration } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import type { TicketView } from './model.js';
import { parentFact, typeBadge } from './request.js';
import type { TicketTexts } from './texts.js';

/** A deadline still running: a countdown the live layer ticks; the server's words until it does. */
function countdown(at: string, viewer: Viewer, now: Date): Html {
  const left = Math.round((Date.parse(at) - now.getTime()) / 1000);
  const words = left >= 0 ? formatDuration(left, viewer.lang) : `${common(viewer.lang).overdue} ${formatDuration(left, viewer.lang)}`;
  return html`<time data-countdown datetime="${at}" class="${left < 0 ? 'overdue' : ''}" title="${formatDateTime(at, viewer)}"
    >${words}</time
  >`;
}

function at(when: string, viewer: Viewer): Html {
  return html`<time datetime="${when}">${formatDateTime(when, viewer)}</time>`;
}

/** The SLA's two clocks: a countdown while a clock runs, the due time and whether it was met once it stopped. */
function slaView(view: TicketView, viewer: Viewer, t: TicketTexts, now: Date): Html {
  const { sla, status, resolvedAt } = view.ticket;
  const finished = status === 'resolved' || status === 'closed';
  const paused = status === 'pending';
  const clock = (due: string | null, doneAt: string | null) => {
    if (!due) return html`<span>${t.none}</span>`;
    if (doneAt) {
      const met = Date.parse(doneAt) <= Date.parse(due);
      return html`${at(due, viewer)} · <span class="${met ? 'met' : 'overdue'}">${met ? t.met : common(viewer.lang).overdue}</span>`;
    }
    if (paused) return html`${at(due, viewer)} · <span>${t.stopped}</span>`;
    return html`${countdown(due, viewer, now)} <span class="due">(${at(due, viewer)})</span>`;
  };
  return html`<section class="sla" aria-labelledby="sla-title">
    <h2 id="sla-title">${t.sla}</h2>
    <dl class="facts">
      <div>
        <dt>${t.respondBy}</dt>
        <dd>${clock(sla.respondBy, sla.respondedAt ?? (finished ? resolvedAt : null))}</dd>
      </div>
      <div>
        <dt>${t.respondedAt}</dt>
        <dd>${sla.respondedAt ? at(sla.respondedAt, viewer) : t.notYet}</dd>
      </div>
      <div>
        <dt>${t.resolveBy}</dt>
        <dd>${clock(sla.resolveBy, finished ? resolvedAt : null)}</dd>
      </div>
      <div>
        <dt>${t.breached}</dt>
        <dd class="${sla.breached ? 'overdue' : ''}">${sla.breached ? t.breachedYes : t.breachedNo}</dd>
      </div>
    </dl>
  </section>`;
}

function person(p: { name: string | null; email: string | null; phone: string | null }): Html {
  const ways = [p.email, p.phone].filter((w): w is string => Boolean(w));
  return html`${p.name ?? ways[0] ?? '—'}${p.name && ways.length > 0 ? html` <span class="muted">(${ways.join(', ')})</span>` : ''}${
    !p.name && ways.length > 1 ? html` <span class="muted">(${ways.slice(1).join(', ')})</span>` : ''
  }`;
}

/** The live region `ticket-header`: what the ticket is, who has it, and its clocks. */
export function headerRegion(view: TicketView, viewer: Viewer, t: TicketTexts, now: Date): Html {
  const c = common(viewer.lang);
  const ticket = view.ticket;
  const outage = ticket.outageId ? view.outages.find((o) => o.id === ticket.outageId) : undefined;
  const watchers = ticket.watchers.map((w) => [w.email, w.phone].filter(Boolean).join(' / '));
  return html`<h1><span class="reference">${reference(ticket.number)}</span> ${ticket.subject}</h1>
    <p class="badges">
      <span class="badge priority priority-${ticket.priority}"><span class="visually-hidden">${t.priority}: </span>${ticket.priority}</span>
      <span class="badge status status-${ticket.status}"
        ><span class="visually-hidden">${t.status}: </span>${c[`status_${ticket.status}`]}</span
      >
      <span class="badge channel"><span class="visually-hidden">${t.channel}: </span>${c[`channel_${ticket.channel}`]}</span>
      ${typeBadge(view, viewer.lang)}
    </p>
    <dl class="facts">
      ${parentFact(view, viewer.lang)}
      <div>
        <dt>${t.category}</dt>
        <dd>${ticket.category ?? t.noCategory}</dd>
      </div>
      <div>
        <dt>${t.tier}</dt>
        <dd>${t.tierN(ticket.tier)}</dd>
      </div>
      <div>
        <dt>${t.requester}</dt>
        <dd>${person(ticket.requester)}</dd>
      </div>
      <div>
        <dt>${t.assignee}</dt>
        <dd>${ticket.assignee?.name ?? c.nobody}</dd>
      </div>
      <div>
        <dt>${t.watchers}</dt>
        <dd>${watchers.length > 0 ? watchers.join(', ') : t.none}</dd>
      </div>
      ${
        ticket.outageId
          ? html`<div>
              <dt>${t.outage}</dt>
              <dd>${outage?.title ?? '—'}</dd>
            </div>`
          : ''
      }
      ${
        ticket.problem
          ? html`<div data-problem="${ticket.problem.id}">
              <dt>${t.problem}</dt>
              <dd>${ticket.problem.title} <span class="muted">(${t.problemStatus(ticket.problem.status)})</span></dd>
            </div>`
          : ''
      }
    </dl>
    ${
      ticket.resolution
        ? html`<div class="resolution">
            <h2>${t.resolution}</h2>
            <p class="text">${ticket.resolution}</p>
          </div>`
        : ''
    }
    ${slaView(view, viewer, t, now)}`;
}

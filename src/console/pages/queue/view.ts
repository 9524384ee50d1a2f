import { CHANNELS, PRIORITIES, TICKET_TYPES } from '../../../domain/values.js';
import { QUEUE_STATUSES, type QueueItem } from '../../../store/queue-query.js';
import { html, type Html } from '../../html.js';
import { common, formatDateTime, formatDuration } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import { PAGE_SIZE, pageHref, type QueueQuery } from './filters.js';
import type { QueueTexts } from './texts.js';

type Common = ReturnType<typeof common>;

interface Choice {
  value: string;
  label: string;
}

function select(name: string, label: string, choices: readonly Choice[], chosen: string | undefined, t: QueueTexts): Html {
  const id = `filter-${name}`;
  return html`<p class="field">
    <label for="${id}">${label}</label>
    <select id="${id}" name="${name}">
      <option value="">${t.any}</option>
      ${choices.map((c) => html`<option value="${c.value}" ${c.value === chosen ? html`selected` : ''}>${c.label}</option>`)}
    </select>
  </p>`;
}

/**
 * The filters as a plain GET form: the filtered queue is a URL (kept on reload, shareable). A
 * technician sees only their own tickets, so the assignee filter is not offered to them.
 */
export function filterForm(
  viewer: Viewer,
  query: QueueQuery,
  options: { technicians: readonly Choice[] | null; categories: readonly string[] },
  t: QueueTexts,
): Html {
  const c = common(viewer.lang);
  const assignees = options.technicians ? [{ value: 'none', label: c.nobody }, ...options.technicians] : null;
  return html`<form method="get" action="/" class="queue-filters" aria-label="${t.filters}">
    <fieldset class="statuses">
      <legend>${t.status}</legend>
      ${QUEUE_STATUSES.map(
        (s) =>
          html`<label
            ><input type="checkbox" name="status" value="${s}" ${query.status.includes(s) ? html`checked` : ''} />
            ${c[`status_${s}`]}</label
          >`,
      )}
    </fieldset>
    ${select(
      'priority',
      t.priority,
      PRIORITIES.map((p) => ({ value: p, label: p })),
      query.priority,
      t,
    )}
    ${select(
      'channel',
      t.channel,
      CHANNELS.map((ch) => ({ value: ch, label: c[`channel_${ch}`] })),
      query.channel,
      t,
    )}
    ${select(
      'type',
      t.type,
      TICKET_TYPES.map((type) => ({ value: type, label: type === 'request' ? t.type_request : t.type_incident })),
      query.type,
      t,
    )}
    ${select(
      'category',
      t.category,
      options.categories.map((name) => ({ value: name, label: name })),
      query.category,
      t,
    )}
    ${assignees ? select('assignee', t.assignee, assignees, query.assignee, t) : ''}
    <p class="field search">
      <label for="filter-q">${t.search}</label>
      <input id="filter-q" type="search" name="q" value="${query.q ?? ''}" aria-describedby="filter-q-hint" />
      <span id="filter-q-hint" class="hint">${t.searchHint}</span>
    </p>
    <p class="actions">
      <button type="submit">${t.apply}</button>
      <a href="/">${t.clear}</a>
    </p>
  </form>`;
}

/** The time left to the pending target, as console.js will keep re-rendering it every second. */
function countdown(item: QueueItem, viewer: Viewer, now: Date, t: QueueTexts): Html {
  if (!item.due) return html`<span class="muted">${t.noTarget}</span>`;
  const clock = item.due.clock === 'response' ? t.response : t.resolution;
  if (item.paused) {
    // Pending on the requester: the clock stands still, and the deadline moves out by the pause when
    // it restarts, so what is said is the time that will be left then.
    const since = item.paused.since;
    const left = since ? (Date.parse(item.due.at) - Date.parse(since)) / 1000 : null;
    const spoken = left === null ? null : formatDuration(left, viewer.lang);
    const note = left === null || spoken === null ? '' : left < 0 ? t.pausedLate(spoken) : t.pausedLeft(spoken);
    return html`<span class="clock">${clock}</span>
      <span class="paused">${t.paused}</span>
      ${note ? html`<span class="muted">${note}</span>` : ''}`;
  }
  const left = (Date.parse(item.due.at) - now.getTime()) / 1000;
  const overdue = left < 0;
  const spoken = formatDuration(left, viewer.lang);
  return html`<span class="clock">${clock}</span>
    <time data-countdown datetime="${item.due.at}" class="${overdue ? 'overdue' : ''}" title="${formatDateTime(item.due.at, viewer)}"
      >${overdue ? t.overdueBy(spoken) : t.inTime(spoken)}</time
    >`;
}

function requester(item: QueueItem): Html {
  const { name, email, phone } = item.requester;
  const first = name ?? email ?? phone ?? '';
  const rest = [email, phone].filter((v): v is string => v !== null && v !== first);
  return html`<span class="requester-name">${first}</span>${rest.map((v) => html`<br /><span class="muted">${v}</span>`)}`;
}

function row(item: QueueItem, viewer: Viewer, now: Date, t: QueueTexts, c: Common): Html {
  const assignee = item.assignee
    ? html`${item.assignee.name}`
    : html`<span class="muted">${c.nobody}</span
        >${item.nobodyEligible ? html` <span class="badge badge-warn">${t.nobodyEligible}</span>` : ''}`;
  const mark = item.type === 'request' ? html`<span class="badge badge-request">${t.type_request}</span> ` : '';
  return html`<tr class="${item.nobodyEligible ? 'nobody-eligible' : ''}" data-ticket="${item.reference}">
    <th scope="row" class="ref"><a href="/tickets/${item.id}">${item.reference}</a></th>
    <td class="subject">${mark}${item.subject}</td>
    <td><span class="priority priority-${item.priority}">${item.priority}</span></td>
    <td>${c[`status_${item.status}`]}</td>
    <td>${c[`channel_${item.channel}`]}</td>
    <td>${item.category ?? html`<span class="muted">${t.uncategorised}</span>`}</td>
    <td>${requester(item)}</td>
    <td>${assignee}</td>
    <td class="due">${countdown(item, viewer, now, t)}</td>
  </tr>`;
}

function pager(query: QueueQuery, total: number, t: QueueTexts): Html {
  const page = query.page ?? 1;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages === 1 && page === 1) return html``;
  return html`<nav class="pager" aria-label="${t.pages}">
    ${page > 1 ? html`<a href="${pageHref(query, page - 1)}" rel="prev">${t.previous}</a>` : ''}
    <span>${t.pageOf(page, pages)}</span>
    ${page < pages ? html`<a href="${pageHref(query, page + 1)}" rel="next">${t.next}</a>` : ''}
  </nav>`;
}

/** The live region's content: the count, the table and the pages (re-fetched on each stream event). */
export function results(
  viewer: Viewer,
  list: { items: readonly QueueItem[]; total: number },
  query: QueueQuery,
  now: Date,
  t: QueueTexts,
): Html {
  const c = common(viewer.lang);
  return html`<p class="total">${t.total(list.total)}</p>
    ${
      list.items.length === 0
        ? html`<p class="empty">${t.empty}</p>`
        : html`<div class="table-wrap">
            <table class="queue">
              <caption class="visually-hidden">
                ${t.caption}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.ticket}</th>
                  <th scope="col">${t.subject}</th>
                  <th scope="col">${t.priority}</th>
                  <th scope="col">${t.status}</th>
                  <th scope="col">${t.channel}</th>
                  <th scope="col">${t.category}</th>
                  <th scope="col">${t.requester}</th>
                  <th scope="col">${t.assignee}</th>
                  <th scope="col">${t.due}</th>
                </tr>
              </thead>
              <tbody>
                ${list.items.map((item) => row(item, viewer, now, t, c))}
              </tbody>
            </table>
          </div>`
    }
    ${pager(query, list.total, t)}`;
}

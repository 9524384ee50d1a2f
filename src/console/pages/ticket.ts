import { z } from 'zod';
import { reference } from '../../domain/values.js';
import type { Actor, Ticket } from '../../domain/ticket.js';
import { AppError, isAppError } from '../../errors.js';
import {
  acceptTicket,
  addNote,
  closeTicket,
  declineTicket,
  escalateTicket,
  reopenTicket,
  resolveTicket,
  updateTicket,
} from '../../tickets/actions.js';
import { ticketIdOrThrow } from '../../tickets/apply-change.js';
import { decideAsCoordinator, type ApprovalAnswer } from '../../tickets/approvals.js';
import { linkTicketToOutage } from '../../tickets/link-outage.js';
import { replyToRequester } from '../../tickets/reply.js';
import type { ConsoleDeps } from '../deps.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { consoleRoute, type ConsoleResult, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';
import { ACTIONS, actionForms, quickRegion, type ActionName, type Refusal } from './ticket/actions.js';
import { headerRegion } from './ticket/header.js';
import { loadTicketView } from './ticket/model.js';
import { requestPanel, requestTexts, type RequestTexts } from './ticket/request.js';
import { routingRegion } from './ticket/routing.js';
import { ticketTexts, type TicketTexts } from './ticket/texts.js';
import { timelineRegion } from './ticket/timeline.js';

/**
 * The ticket page (`/tickets/:id`, a number or `HD-<number>` as in the API): header and clocks, the
 * timeline, the routing explanation, and the actions its viewer may take. Every action is a plain
 * form through the same use cases as the API, then 303 back here; a refusal (an empty resolution,
 * a move the lifecycle forbids) shows the page again with its message, at the status the API answers.
 */

function actorOf(viewer: Viewer): Actor {
  const { role, technicianId } = viewer.principal;
  return role === 'technician' && technicianId ? { kind: 'technician', id: technicianId } : { kind: 'coordinator' };
}

const pageOf = (ticket: Pick<Ticket, 'number'>) => `/tickets/${ticket.number}`;

async function render(deps: ConsoleDeps, viewer: Viewer, key: string, refusal: Refusal | null, status = 200): Promise<ConsoleResult> {
  const t = ticketTexts(viewer.lang);
  const now = deps.tickets.now?.() ?? new Date();
  const region = viewer.fragment;
  const view = await loadTicketView(deps, viewer, key, region === null);
  switch (region) {
    case 'ticket-header':
      return { fragment: headerRegion(view, viewer, t, now) };
    case 'ticket-timeline':
      return { fragment: timelineRegion(view, viewer, t) };
    case 'ticket-routing':
      return { fragment: routingRegion(view, viewer, t) };
    case 'ticket-quick':
      return { fragment: quickRegion(view, viewer, t) };
    case 'ticket-request':
      return { fragment: requestPanel(view, viewer) };
    default:
      break;
  }
  const { ticket } = view;
  const body = html`${refusal && !refusal.field ? html`<p class="error refusal" role="alert">${t.refused}: ${refusal.message}</p>` : ''}
    <article class="ticket">
      <div class="ticket-head" data-live="ticket-header" data-live-ticket="${ticket.id}">${headerRegion(view, viewer, t, now)}</div>
      <div class="ticket-quick" data-live="ticket-quick" data-live-ticket="${ticket.id}">${quickRegion(view, viewer, t)}</div>
      <div class="ticket-columns">
        <section class="ticket-timeline" aria-labelledby="timeline-title">
          <h2 id="timeline-title">${t.timeline}</h2>
          <div data-live="ticket-timeline" data-live-ticket="${ticket.id}">${timelineRegion(view, viewer, t)}</div>
        </section>
        <div class="ticket-side">
          ${ticket.request ? html`<div data-live="ticket-request" data-live-ticket="${ticket.id}">${requestPanel(view, viewer)}</div>` : ''}
          <section class="panel" aria-labelledby="routing-title">
            <h2 id="routing-title">${t.routing}</h2>
            <div data-live="ticket-routing" data-live-ticket="${ticket.id}">${routingRegion(view, viewer, t)}</div>
          </section>
          ${actionForms(view, viewer, t, refusal)}
        </div>
      </div>
    </article>
    <script src="/assets/ticket.js" defer></script>`;
  return { page: layout(viewer, { title: t.title(reference(ticket.number), ticket.subject), current: 'queue', body }), status };
}

/** The error's message in the viewer's words, beside the field it is about when the form has that field. */
function refusalOf(
  err: AppError,
  action: ActionName,
  fields: readonly string[],
  values: Record<string, string>,
  words: { t: TicketTexts; r: RequestTexts },
): Refusal {
  const { t, r } = words;
  const named: unknown = err.details?.field;
  const field = typeof named === 'string' && fields.includes(named) ? named : undefined;
  const message =
    err.code === 'RESOLUTION_REQUIRED'
      ? t.emptyResolution
      : err.code === 'COMMENT_REQUIRED'
        ? r.commentRequired
        : err.code === 'ILLEGAL_TRANSITION'
          ? t.notAllowedNow(err.message)
          : err.message;
  return { action, message, values, ...(field ? { field } : {}) };
}

/** What the page shows again rather than an error page: the API's 400, 404 (an outage gone), 409 and 422. */
const SHOWN_AGAIN = new Set<string>([
  'VALIDATION_FAILED',
  'OUTAGE_NOT_FOUND',
  'ILLEGAL_TRANSITION',
  'RESOLUTION_REQUIRED',
  'COMMENT_REQUIRED',
  'UNPROCESSABLE',
]);

interface ActionSpec<F extends Record<string, string | undefined>> {
  name: ActionName;
  form: z.ZodType<F>;
  /** Does it; returns where to go next (the ticket page unless it says otherwise). */
  run(input: { viewer: Viewer; key: string; form: F; t: TicketTexts }): Promise<string>;
}

function action<F extends Record<string, string | undefined>>(deps: ConsoleDeps, spec: ActionSpec<F>): ConsoleRoute {
  return consoleRoute<unknown, F>({
    method: 'post',
    path: `/tickets/:id/${spec.name}`,
    access: 'staff',
    form: spec.form,
    async handler({ viewer, params, form }) {
      const key = params.id ?? '';
      const t = ticketTexts(viewer.lang);
      try {
        return { redirect: await spec.run({ viewer, key, form, t }) };
      } catch (err) {
        if (!isAppError(err) || !SHOWN_AGAIN.has(err.code)) throw err;
        const values = Object.fromEntries(Object.entries(form).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
        // The page is rendered whole, not a region, whatever the request's headers said.
        const asPage = { ...viewer, fragment: null };
        const words = { t, r: requestTexts(viewer.lang) };
        return render(deps, asPage, key, refusalOf(err, spec.name, Object.keys(values), values, words), err.status);
      }
    },
  });
}

const text = (max: number) => z.string().max(max).default('');
const none = z.object({});

/** Refused before the use case: a text that only spaces fill says nothing. */
function required(value: string, message: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new AppError('UNPROCESSABLE', message, { field });
  return trimmed;
}

export function ticketRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const tickets = deps.tickets;
  /** The technician whose offer is answered: the viewer, or for a coordinator the one it was offered to. */
  const offeredTo = async (viewer: Viewer, key: string): Promise<string> => {
    if (viewer.principal.role === 'technician' && viewer.principal.technicianId) return viewer.principal.technicianId;
    const ticket = await tickets.store.tickets.get(await ticketIdOrThrow(tickets, key));
    if (!ticket?.assignee) throw new AppError('ILLEGAL_TRANSITION', 'nobody has been offered this ticket');
    return ticket.assignee.id;
  };
  const decide = async (viewer: Viewer, key: string, answer: ApprovalAnswer): Promise<string> => {
    if (viewer.principal.role !== 'coordinator') throw new AppError('FORBIDDEN', 'only a coordinator decides a request for its approvers');
    const id = await ticketIdOrThrow(tickets, key);
    await decideAsCoordinator(tickets, id, answer);
    const ticket = await tickets.store.tickets.get(id);
    return ticket ? pageOf(ticket) : `/tickets/${encodeURIComponent(key)}`;
  };
  return [
    consoleRoute({
      method: 'get',
      path: '/tickets/:id',
      access: 'staff',
      handler: ({ viewer, params }) => render(deps, viewer, params.id ?? '', null),
    }),
    // A reload of a refused form's page, or the live layer fetching its regions there: the ticket.
    consoleRoute({
      method: 'get',
      path: '/tickets/:id/:action',
      access: 'staff',
      async handler({ viewer, params }) {
        const id = params.id ?? '';
        if (!ACTIONS.some((a) => a === params.action)) throw new AppError('NOT_FOUND', 'no such page');
        return viewer.fragment ? render(deps, viewer, id, null) : { redirect: `/tickets/${encodeURIComponent(id)}` };
      },
    }),
    action(deps, {
      name: 'accept',
      form: none,
      async run({ viewer, key }) {
        return pageOf(await acceptTicket(tickets, key, await offeredTo(viewer, key)));
      },
    }),
    action(deps, {
      name: 'decline',
      form: none,
      async run({ viewer, key }) {
        const coordinator = viewer.principal.role === 'coordinator';
        const ticket = await declineTicket(
          tickets,
          key,
          await offeredTo(viewer, key),
          coordinator ? 'declined by the coordinator' : undefined,
        );
        // Declined, it is no longer the technician's: their page for it would be a 403.
        return coordinator ? pageOf(ticket) : '/';
      },
    }),
    action(deps, {
      name: 'reply',
      form: z.object({ body: text(10_000) }),
      async run({ viewer, key, form, t }) {
        return pageOf(await replyToRequester(tickets, key, required(form.body, t.emptyMessage, 'body'), actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'notes',
      form: z.object({ body: text(10_000), internal: z.literal('on').optional() }),
      async run({ viewer, key, form, t }) {
        const body = required(form.body, t.emptyNote, 'body');
        return pageOf(await addNote(tickets, key, body, form.internal === 'on', actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'escalate',
      form: z.object({ reason: text(2_000) }),
      async run({ viewer, key, form, t }) {
        return pageOf(await escalateTicket(tickets, key, required(form.reason, t.emptyReason, 'reason'), actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'resolve',
      form: z.object({ resolution: text(10_000) }),
      async run({ viewer, key, form }) {
        return pageOf(await resolveTicket(tickets, key, form.resolution, actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'close',
      form: none,
      async run({ viewer, key }) {
        return pageOf(await closeTicket(tickets, key, actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'reopen',
      form: z.object({ reason: z.string().max(2_000).optional() }),
      async run({ viewer, key, form }) {
        return pageOf(await reopenTicket(tickets, key, form.reason?.trim() || undefined, actorOf(viewer)));
      },
    }),
    action(deps, {
      name: 'reassign',
      form: z.object({ assigneeId: z.string().max(64) }),
      async run({ viewer, key, form }) {
        if (viewer.principal.role !== 'coordinator') throw new AppError('FORBIDDEN', 'only a coordinator assigns tickets');
        return pageOf(await updateTicket(tickets, key, { assigneeId: form.assigneeId }, actorOf(viewer)));
      },
    }),
    // A coordinator decides a request awaiting approval for every approver, as POST /api/tickets/:id/approve|reject (#17).
    action(deps, {
      name: 'approve',
      form: none,
      async run({ viewer, key }) {
        return decide(viewer, key, { decision: 'approved', via: 'api' });
      },
    }),
    action(deps, {
      name: 'reject',
      form: z.object({ comment: text(2_000) }),
      async run({ viewer, key, form }) {
        return decide(viewer, key, { decision: 'rejected', via: 'api', comment: form.comment });
      },
    }),
    action(deps, {
      name: 'outage',
      form: z.object({ outageId: z.string().max(64) }),
      async run({ viewer, key, form }) {
        if (viewer.principal.role !== 'coordinator') throw new AppError('FORBIDDEN', 'only a coordinator links tickets to an outage');
        return pageOf(await linkTicketToOutage(tickets, key, form.outageId, actorOf(viewer)));
      },
    }),
  ];
}

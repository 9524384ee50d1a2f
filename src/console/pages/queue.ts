import type { Principal } from '../../store/token-repository.js';
import type { ConsoleDeps } from '../deps.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { consoleRoute, type ConsoleRoute } from '../route.js';
import { PAGE_SIZE, queueQuery, type QueueQuery } from './queue/filters.js';
import { queueTexts } from './queue/texts.js';
import { filterForm, results } from './queue/view.js';

/** The live layer's name for the part of the page it re-fetches on each ticket event. */
const REGION = 'queue';

/** A technician's queue is their own tickets, whatever the URL says (as on GET /api/tickets). */
function assigneeOf(principal: Principal, query: QueueQuery): string | undefined {
  return principal.role === 'technician' ? (principal.technicianId ?? 'none') : query.assignee;
}

/** `GET /`: the open tickets, nearest SLA deadline first, filtered by a GET form, kept current live. */
export function queueRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    consoleRoute({
      method: 'get',
      path: '/',
      access: 'staff',
      query: queueQuery,
      async handler({ viewer, query }) {
        const t = queueTexts(viewer.lang);
        const assignee = assigneeOf(viewer.principal, query);
        const page = query.page ?? 1;
        const listing = deps.store.queue.list({
          status: query.status,
          ...(query.priority ? { priority: [query.priority] } : {}),
          ...(query.channel ? { channel: [query.channel] } : {}),
          ...(query.type ? { type: [query.type] } : {}),
          ...(query.category ? { category: query.category } : {}),
          ...(assignee ? { assignee } : {}),
          ...(query.q ? { q: query.q } : {}),
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        });
        const now = deps.tickets.now?.() ?? new Date();
        if (viewer.fragment === REGION) return { fragment: results(viewer, await listing, query, now, t) };
        const coordinator = viewer.principal.role === 'coordinator';
        const [list, technicians, categories] = await Promise.all([
          listing,
          coordinator ? deps.store.technicians.list() : null,
          deps.store.rules.categories(),
        ]);
        const options = {
          technicians: technicians?.map((tech) => ({ value: tech.id, label: tech.name })) ?? null,
          categories: categories.map((category) => category.name),
        };
        return {
          page: layout(viewer, {
            title: t.title,
            current: 'queue',
            body: html`<h1>${t.heading}</h1>
              ${filterForm(viewer, query, options, t)}
              <section data-live="${REGION}" aria-label="${t.heading}">${results(viewer, list, query, now, t)}</section>`,
          }),
        };
      },
    }),
  ];
}

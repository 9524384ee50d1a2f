import { z } from 'zod';
import { createProblem } from '../../../tickets/problems.js';
import { declareOutageFromTickets, listSuggestions, type Suggestion } from '../../../tickets/suggestions.js';
import type { ConsoleDeps } from '../../deps.js';
import { html, type Html } from '../../html.js';
import { formatDateTime, texts } from '../../i18n.js';
import { csrfField } from '../../layout.js';
import { consoleRoute, type ConsoleRoute } from '../../route.js';
import type { Viewer } from '../../viewer.js';

/**
 * The outages page's "Looks like one cause" section (#16): GET /api/problems/suggestions as the
 * coordinator reads it, each group with the storm alert's two one-step actions (its email links
 * here, #suggestions): declare an outage from it (its tickets linked) or open a problem with its
 * tickets as incidents, through the same use cases as the API.
 */

const words = texts(
  {
    heading: 'Looks like one cause',
    intro: 'Open tickets of the last 2 hours with the same category and similar words. Three within 10 minutes alert the coordinator.',
    none: 'No group of similar open tickets right now.',
    since: 'Since',
    tickets: (n: number) => `${n} tickets`,
    declare: 'Declare an outage',
    problem: 'Open a problem',
  },
  {
    heading: 'Semblent avoir une même cause',
    intro:
      'Tickets ouverts des 2 dernières heures, de même catégorie et aux mots semblables. Trois en 10 minutes alertent le coordinateur.',
    none: 'Aucun groupe de tickets ouverts semblables pour l’instant.',
    since: 'Depuis',
    tickets: (n: number) => `${n} tickets`,
    declare: 'Déclarer une panne',
    problem: 'Ouvrir un problème',
  },
);

/** The live region of the section: console.js fetches it again on each event of the desk. */
export const SUGGESTIONS_REGION = 'suggestions';

function group(viewer: Viewer, s: Suggestion, index: number): Html {
  const t = words(viewer.lang);
  const headingId = `suggestion-${index}`;
  const fields = html`${csrfField(viewer)}<input type="hidden" name="tickets" value="${s.tickets.join(',')}" />
    <input type="hidden" name="title" value="${s.title}" />`;
  return html`<article class="suggestion" aria-labelledby="${headingId}">
    <h3 id="${headingId}">${s.title}</h3>
    <p>${t.tickets(s.tickets.length)} · ${t.since} <time datetime="${s.since}">${formatDateTime(s.since, viewer)}</time></p>
    <ul class="linked">
      ${s.tickets.map((n) => html`<li><a href="/tickets/${n}">HD-${n}</a></li>`)}
    </ul>
    <div class="suggestion-actions">
      <form method="post" action="/outages/suggestions/outage">
        ${fields}
        <button type="submit">${t.declare}<span class="visually-hidden"> – ${s.title}</span></button>
      </form>
      <form method="post" action="/outages/suggestions/problem">
        ${fields}
        <button type="submit">${t.problem}<span class="visually-hidden"> – ${s.title}</span></button>
      </form>
    </div>
  </article>`;
}

/** The section's inside (the live region's fragment). */
export async function suggestionList(deps: ConsoleDeps, viewer: Viewer): Promise<Html> {
  const t = words(viewer.lang);
  const items = await listSuggestions(deps.tickets);
  return items.length > 0 ? html`${items.map((s, i) => group(viewer, s, i))}` : html`<p>${t.none}</p>`;
}

export async function suggestionSection(deps: ConsoleDeps, viewer: Viewer): Promise<Html> {
  const t = words(viewer.lang);
  return html`<section id="suggestions" aria-labelledby="suggestions-heading">
    <h2 id="suggestions-heading">${t.heading}</h2>
    <p class="hint">${t.intro}</p>
    <div data-live="${SUGGESTIONS_REGION}">${await suggestionList(deps, viewer)}</div>
  </section>`;
}

const groupForm = z.strictObject({ tickets: z.string().min(1), title: z.string().min(1).max(300) });
const numbersOf = (tickets: string) =>
  tickets
    .split(',')
    .map((n) => n.trim())
    .filter((n) => /^\d+$/.test(n));

export function suggestionRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const coordinator = { kind: 'coordinator' } as const;
  return [
    consoleRoute({
      method: 'post',
      path: '/outages/suggestions/outage',
      access: 'coordinator',
      form: groupForm,
      async handler({ form }) {
        await declareOutageFromTickets(deps.tickets, { tickets: numbersOf(form.tickets), title: form.title.slice(0, 200) }, coordinator);
        return { redirect: '/outages' };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/outages/suggestions/problem',
      access: 'coordinator',
      form: groupForm,
      async handler({ form }) {
        const incidents = numbersOf(form.tickets);
        await createProblem(deps.tickets, { title: form.title, incidents }, coordinator);
        // The ticket page names the problem its ticket is an incident of.
        return { redirect: `/tickets/${incidents[0] ?? ''}` };
      },
    }),
  ];
}

import { DateTime } from 'luxon';
import { z } from 'zod';
import { outageBody } from '../../api/schemas.js';
import type { Outage } from '../../domain/ticket.js';
import type { Language } from '../../domain/values.js';
import { isAppError } from '../../errors.js';
import { declareOutage, endOutage } from '../../tickets/outages.js';
import { outageNotice } from '../../intake/twilio/ivr.js';
import { titlesOf } from '../../intake/twilio/voice-desk.js';
import type { LinkedTicket } from '../../store/outage-repository.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { common, formatDateTime, texts } from '../i18n.js';
import { csrfField, layout } from '../layout.js';
import { consoleRoute, type ConsoleResult, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';
import { SUGGESTIONS_REGION, suggestionList, suggestionRoutes, suggestionSection } from './outages/suggestions.js';

const words = texts(
  {
    title: 'Outages',
    heard: 'What callers hear now',
    heardIntro: 'The voice menu says this after its greeting, in the caller’s language:',
    heardNothing: 'No outage is going on: callers hear the greeting and the menu only.',
    english: 'In English',
    french: 'In French',
    ongoing: 'Ongoing',
    noneOngoing: 'No outage is going on.',
    ended: 'Ended in the last 7 days',
    noneEnded: 'None.',
    since: 'Since',
    until: 'Until',
    noEnd: 'no end announced',
    category: 'Category',
    anyCategory: 'any (tickets whose text resembles it)',
    translations: 'Translations',
    linked: 'Linked tickets',
    linkedHint:
      'Tickets linked to this outage when they were opened (their category matches it when it has one, and their text resembles it), from a suggestion, or by a person; they wait for it to end, and each requester is told once when it ends.',
    noneLinked: 'No ticket linked yet.',
    end: 'End outage',
    declare: 'Declare an outage',
    outageTitle: 'Title',
    message: 'Message',
    titleHint: 'Said to callers, so keep it short: “Email is down”.',
    categoryNone: 'None (match tickets by their text)',
    expectedEnd: 'Expected end (optional)',
    expectedEndHint: 'In the desk’s time zone; callers stop hearing of it then. Empty: until you end it.',
    inOtherLanguages: 'In other languages (optional): callers of that language hear this title',
    titleEn: 'Title in English',
    messageEn: 'Message in English',
    titleFr: 'Title in French',
    messageFr: 'Message in French',
    submit: 'Declare outage',
    refused: 'The outage was not declared:',
  },
  {
    title: 'Pannes',
    heard: 'Ce qu’entendent les appelants',
    heardIntro: 'Le serveur vocal le dit après son accueil, dans la langue de l’appelant :',
    heardNothing: 'Aucune panne en cours : les appelants n’entendent que l’accueil et le menu.',
    english: 'En anglais',
    french: 'En français',
    ongoing: 'En cours',
    noneOngoing: 'Aucune panne en cours.',
    ended: 'Terminées ces 7 derniers jours',
    noneEnded: 'Aucune.',
    since: 'Depuis',
    until: 'Jusqu’à',
    noEnd: 'pas de fin annoncée',
    category: 'Catégorie',
    anyCategory: 'toutes (tickets dont le texte y ressemble)',
    translations: 'Traductions',
    linked: 'Tickets liés',
    linkedHint:
      'Les tickets liés à cette panne à leur ouverture (leur catégorie correspond quand elle en a une, et leur texte y ressemble), depuis une suggestion, ou par une personne ; ils attendent sa fin, et chaque demandeur en est informé une fois.',
    noneLinked: 'Aucun ticket lié pour l’instant.',
    end: 'Terminer la panne',
    declare: 'Déclarer une panne',
    outageTitle: 'Titre',
    message: 'Message',
    titleHint: 'Dit aux appelants : restez bref, « La messagerie est en panne ».',
    categoryNone: 'Aucune (tickets rapprochés par leur texte)',
    expectedEnd: 'Fin prévue (facultatif)',
    expectedEndHint:
      'Dans le fuseau du centre ; les appelants n’en entendent plus parler ensuite. Vide : jusqu’à ce que vous la terminiez.',
    inOtherLanguages: 'Dans d’autres langues (facultatif) : les appelants de cette langue entendent ce titre',
    titleEn: 'Titre en anglais',
    messageEn: 'Message en anglais',
    titleFr: 'Titre en français',
    messageFr: 'Message en français',
    submit: 'Déclarer la panne',
    refused: 'La panne n’a pas été déclarée :',
  },
);
type Words = ReturnType<typeof words>;

const REGION = 'outages';
const RECENT_DAYS = 7;

const declareForm = z.strictObject({
  title: z.string(),
  message: z.string(),
  category: z.string(),
  until: z.string(),
  titleEn: z.string(),
  messageEn: z.string(),
  titleFr: z.string(),
  messageFr: z.string(),
});
type DeclareForm = z.infer<typeof declareForm>;
type FormField = keyof DeclareForm;

interface Refusal {
  field: FormField | null;
  message: string;
  form: DeclareForm;
}

interface Board {
  ongoing: Outage[];
  ended: Outage[];
  linked: Map<string, LinkedTicket[]>;
}

async function board(deps: ConsoleDeps): Promise<Board> {
  const now = new Date();
  const recent = await deps.store.outages.recent(new Date(now.getTime() - RECENT_DAYS * 24 * 3600 * 1000));
  const ongoing = recent.filter((o) => Date.parse(o.since) <= now.getTime() && (!o.until || Date.parse(o.until) > now.getTime()));
  const ended = recent.filter((o) => !ongoing.includes(o));
  const linked = new Map<string, LinkedTicket[]>();
  for (const ticket of await deps.store.outages.linkedTickets(recent.map((o) => o.id))) {
    linked.set(ticket.outageId, [...(linked.get(ticket.outageId) ?? []), ticket]);
  }
  return { ongoing, ended, linked };
}

/** The voice menu's own sentence (intake/twilio/ivr.ts), over the outages a call would be told of now. */
function heard(lang: Language, ongoing: readonly Outage[]): string | null {
  const announced = ongoing.map((o) => ({ title: o.title, titleIn: titlesOf(o.translations ?? {}) }));
  return outageNotice(lang, announced)[0] ?? null;
}

function announcement(t: Words, ongoing: readonly Outage[]): Html {
  const en = heard('en', ongoing);
  const fr = heard('fr', ongoing);
  return html`<section aria-labelledby="heard">
    <h2 id="heard">${t.heard}</h2>
    ${
      en && fr
        ? html`<p>${t.heardIntro}</p>
            <dl class="heard">
              <dt>${t.english}</dt>
              <dd lang="en"><q>${en}</q></dd>
              <dt>${t.french}</dt>
              <dd lang="fr"><q>${fr}</q></dd>
            </dl>`
        : html`<p>${t.heardNothing}</p>`
    }
  </section>`;
}

function linkedList(viewer: Viewer, t: Words, tickets: readonly LinkedTicket[]): Html {
  const c = common(viewer.lang);
  if (tickets.length === 0) return html`<p>${t.noneLinked}</p>`;
  return html`<ul class="linked">
    ${tickets.map(
      (ticket) =>
        html`<li>
          <a href="/tickets/${ticket.number}">HD-${ticket.number}</a>
          <span class="priority priority-${ticket.priority}">${ticket.priority}</span>
          ${ticket.subject} (${c[`status_${ticket.status}`]})
        </li>`,
    )}
  </ul>`;
}

function outageCard(viewer: Viewer, t: Words, outage: Outage, tickets: readonly LinkedTicket[], ongoing: boolean): Html {
  const headingId = `outage-${outage.id}`;
  const translations = Object.entries(outage.translations ?? {});
  return html`<article class="outage" aria-labelledby="${headingId}">
    <h3 id="${headingId}">${outage.title}</h3>
    <p>${outage.message}</p>
    <dl class="facts">
      <dt>${t.since}</dt>
      <dd><time datetime="${outage.since}">${formatDateTime(outage.since, viewer)}</time></dd>
      <dt>${t.until}</dt>
      <dd>${outage.until ? html`<time datetime="${outage.until}">${formatDateTime(outage.until, viewer)}</time>` : t.noEnd}</dd>
      <dt>${t.category}</dt>
      <dd>${outage.category ?? t.anyCategory}</dd>
      ${
        translations.length > 0
          ? html`<dt>${t.translations}</dt>
              <dd>${translations.map(([lang, text]) => html`<span lang="${lang}">${lang}: ${text.title} – ${text.message}</span> `)}</dd>`
          : ''
      }
    </dl>
    <h4>${t.linked}</h4>
    <p class="hint">${t.linkedHint}</p>
    ${linkedList(viewer, t, tickets)}
    ${
      ongoing
        ? html`<form method="post" action="/outages/${outage.id}/end">
            ${csrfField(viewer)}
            <button type="submit" class="danger">${t.end}<span class="visually-hidden"> – ${outage.title}</span></button>
          </form>`
        : ''
    }
  </article>`;
}

function lists(viewer: Viewer, t: Words, b: Board): Html {
  return html`${announcement(t, b.ongoing)}
    <section aria-labelledby="ongoing">
      <h2 id="ongoing">${t.ongoing}</h2>
      ${b.ongoing.length > 0 ? b.ongoing.map((o) => outageCard(viewer, t, o, b.linked.get(o.id) ?? [], true)) : html`<p>${t.noneOngoing}</p>`}
    </section>
    <section aria-labelledby="ended">
      <h2 id="ended">${t.ended}</h2>
      ${b.ended.length > 0 ? b.ended.map((o) => outageCard(viewer, t, o, b.linked.get(o.id) ?? [], false)) : html`<p>${t.noneEnded}</p>`}
    </section>`;
}

function field(
  name: FormField,
  label: string,
  refusal: Refusal | null,
  options: { long?: boolean; hint?: string; type?: 'text' | 'datetime-local' } = {},
): Html {
  const id = `outage-${name}`;
  const invalid = refusal?.field === name;
  const described = [options.hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  const value = refusal?.form[name] ?? '';
  const required = name === 'title' || name === 'message';
  const attrs = html`id="${id}" name="${name}" ${required ? html`required` : ''} ${described ? html`aria-describedby="${described}"` : ''}
  ${invalid ? html`aria-invalid="true"` : ''}`;
  return html`<p>
    <label for="${id}">${label}</label>
    ${options.long ? html`<textarea ${attrs} rows="3">${value}</textarea>` : html`<input type="${options.type ?? 'text'}" ${attrs} value="${value}" />`}
    ${options.hint ? html`<span class="hint" id="${id}-hint">${options.hint}</span>` : ''}
    ${invalid ? html`<span class="error" id="${id}-error">${refusal.message}</span>` : ''}
  </p>`;
}

function declare(viewer: Viewer, t: Words, categories: readonly string[], refusal: Refusal | null): Html {
  const chosen = refusal?.form.category ?? '';
  const categoryInvalid = refusal?.field === 'category';
  return html`<section aria-labelledby="declare">
    <h2 id="declare">${t.declare}</h2>
    ${refusal ? html`<p class="error" role="alert">${t.refused} ${refusal.message}</p>` : ''}
    <form method="post" action="/outages" class="declare-outage">
      ${csrfField(viewer)} ${field('title', t.outageTitle, refusal, { hint: t.titleHint })}
      ${field('message', t.message, refusal, { long: true })}
      <p>
        <label for="outage-category">${t.category}</label>
        <select
          id="outage-category"
          name="category"
          ${categoryInvalid ? html`aria-invalid="true" aria-describedby="outage-category-error"` : ''}
        >
          <option value="">${t.categoryNone}</option>
          ${categories.map((name) => html`<option value="${name}" ${chosen === name ? html`selected` : ''}>${name}</option>`)}
        </select>
        ${categoryInvalid ? html`<span class="error" id="outage-category-error">${refusal.message}</span>` : ''}
      </p>
      ${field('until', t.expectedEnd, refusal, { type: 'datetime-local', hint: t.expectedEndHint })}
      <fieldset>
        <legend>${t.inOtherLanguages}</legend>
        ${field('titleEn', t.titleEn, refusal)} ${field('messageEn', t.messageEn, refusal, { long: true })}
        ${field('titleFr', t.titleFr, refusal)} ${field('messageFr', t.messageFr, refusal, { long: true })}
      </fieldset>
      <button type="submit">${t.submit}</button>
    </form>
  </section>`;
}

async function page(deps: ConsoleDeps, viewer: Viewer, refusal: Refusal | null): Promise<ConsoleResult> {
  const t = words(viewer.lang);
  const [b, categories, suggestions] = await Promise.all([board(deps), deps.store.rules.categories(), suggestionSection(deps, viewer)]);
  return {
    status: refusal ? 422 : 200,
    page: layout(viewer, {
      title: t.title,
      current: 'outages',
      body: html`<h1>${t.title}</h1>
        <div data-live="${REGION}">${lists(viewer, t, b)}</div>
        ${suggestions}
        ${declare(
          viewer,
          t,
          categories.map((c) => c.name),
          refusal,
        )}`,
    }),
  };
}

/** A translation is given when its title or message is; then the API's schema wants both. */
function translation(title: string, message: string) {
  return title.trim() || message.trim() ? { title: title.trim(), message: message.trim() } : undefined;
}

/**
 * The form in the shape of POST /api/outages, judged by its schema. A datetime-local field has no
 * zone: the coordinator typed the desk's time.
 */
function outageInput(form: DeclareForm, timezone: string) {
  const until = form.until.trim() ? (DateTime.fromISO(form.until.trim(), { zone: timezone }).toISO() ?? form.until) : undefined;
  const en = translation(form.titleEn, form.messageEn);
  const fr = translation(form.titleFr, form.messageFr);
  return {
    title: form.title.trim(),
    message: form.message.trim(),
    ...(form.category ? { category: form.category } : {}),
    ...(until ? { until } : {}),
    ...(en || fr ? { translations: { ...(en ? { en } : {}), ...(fr ? { fr } : {}) } } : {}),
  };
}

/** The schema's path (`translations.en.title`) as the form's field (`titleEn`). */
function formFieldOf(path: readonly PropertyKey[]): FormField | null {
  const [first, lang, part] = path.map(String);
  if (first === 'title' || first === 'message' || first === 'category' || first === 'until') return first;
  if (first === 'translations' && (lang === 'en' || lang === 'fr')) {
    const suffix = lang === 'en' ? 'En' : 'Fr';
    return part === 'message' ? `message${suffix}` : `title${suffix}`;
  }
  return null;
}

/** `/outages`: declare and end outages, hear what callers hear, see the tickets linked to each. */
export function outagePages(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    consoleRoute({
      method: 'get',
      path: '/outages',
      access: 'coordinator',
      async handler({ viewer }) {
        if (viewer.fragment === REGION) return { fragment: lists(viewer, words(viewer.lang), await board(deps)) };
        if (viewer.fragment === SUGGESTIONS_REGION) return { fragment: await suggestionList(deps, viewer) };
        return page(deps, viewer, null);
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/outages',
      access: 'coordinator',
      form: declareForm,
      async handler({ viewer, form }) {
        const checked = outageBody.safeParse(outageInput(form, viewer.timezone));
        if (!checked.success) {
          const issue = checked.error.issues[0];
          const path = issue?.path ?? [];
          return page(deps, viewer, { field: formFieldOf(path), message: `${path.join('.')}: ${issue?.message ?? ''}`, form });
        }
        try {
          await declareOutage(deps.store, checked.data);
        } catch (err) {
          if (!isAppError(err) || err.code !== 'VALIDATION_FAILED') throw err;
          return page(deps, viewer, { field: formFieldOf([String(err.details?.field ?? '')]), message: err.message, form });
        }
        return { redirect: '/outages' };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/outages/:id/end',
      access: 'coordinator',
      async handler({ params }) {
        await endOutage(deps.tickets, params.id ?? '', { kind: 'coordinator' });
        return { redirect: '/outages' };
      },
    }),
    ...suggestionRoutes(deps),
  ];
}

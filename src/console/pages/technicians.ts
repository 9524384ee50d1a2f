import { z } from 'zod';
import { technicianBody, technicianPatchBody } from '../../api/schemas.js';
import type { Technician } from '../../domain/ticket.js';
import { isAppError } from '../../errors.js';
import { onShift } from '../../rules/offers.js';
import { addTechnician, changeTechnician, technicianOr404 } from '../../tickets/technicians.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { texts } from '../i18n.js';
import { csrfField, layout } from '../layout.js';
import { consoleRoute, type ConsoleResult, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';

const words = texts(
  {
    title: 'Technicians',
    intro: 'Routing offers a ticket only to technicians of its tier, holding its skills, available, on shift and under their maximum load.',
    name: 'Name',
    tier: 'Tier',
    skills: 'Skills',
    load: 'Load',
    loadOf: (name: string) => `Load of ${name}`,
    available: 'Available',
    onCall: 'On call',
    shift: 'Shift',
    actions: 'Actions',
    yes: 'Yes',
    no: 'No',
    noSkills: 'none',
    wheneverAvailable: 'whenever available',
    onShiftNow: 'on shift now',
    offShiftNow: 'off shift now',
    makeUnavailable: 'Make unavailable',
    makeAvailable: 'Make available',
    takeOffCall: 'Take off call',
    putOnCall: 'Put on call',
    none: 'No technician yet.',
    addHeading: 'Add a technician',
    email: 'Email',
    phone: 'Phone',
    phoneHint: 'International format, e.g. +33612345678: offers and commands go by SMS.',
    skillsHint: 'Separated by commas, e.g. network, printing.',
    maxLoad: 'Maximum load',
    shiftHint: 'Optional, e.g. mon-fri 08:00-17:00; empty: on shift whenever available.',
    add: 'Add technician',
    added: (name: string) => `${name} is on the desk.`,
    tokenOnce: 'Their API token, shown this once (give it to them; it cannot be shown again):',
    refused: 'The technician was not added:',
    edit: 'Edit',
    editHeading: (name: string) => `Edit ${name}`,
    saveChanges: 'Save changes',
    cancel: 'Cancel',
    notChanged: 'Not saved:',
  },
  {
    title: 'Techniciens',
    intro:
      'Le routage ne propose un ticket qu’aux techniciens de son niveau, qui ont ses compétences, disponibles, en service et sous leur charge maximale.',
    name: 'Nom',
    tier: 'Niveau',
    skills: 'Compétences',
    load: 'Charge',
    loadOf: (name: string) => `Charge de ${name}`,
    available: 'Disponible',
    onCall: 'D’astreinte',
    shift: 'Horaires',
    actions: 'Actions',
    yes: 'Oui',
    no: 'Non',
    noSkills: 'aucune',
    wheneverAvailable: 'dès qu’il est disponible',
    onShiftNow: 'en service maintenant',
    offShiftNow: 'hors service maintenant',
    makeUnavailable: 'Rendre indisponible',
    makeAvailable: 'Rendre disponible',
    takeOffCall: 'Retirer de l’astreinte',
    putOnCall: 'Mettre d’astreinte',
    none: 'Aucun technicien pour l’instant.',
    addHeading: 'Ajouter un technicien',
    email: 'E-mail',
    phone: 'Téléphone',
    phoneHint: 'Format international, par ex. +33612345678 : les propositions et commandes passent par SMS.',
    skillsHint: 'Séparées par des virgules, par ex. network, printing.',
    maxLoad: 'Charge maximale',
    shiftHint: 'Facultatif, par ex. mon-fri 08:00-17:00 ; vide : en service dès qu’il est disponible.',
    add: 'Ajouter le technicien',
    added: (name: string) => `${name} fait partie du centre de services.`,
    tokenOnce: 'Son jeton d’API, affiché cette seule fois (remettez-le-lui ; il ne pourra plus être affiché) :',
    refused: 'Le technicien n’a pas été ajouté :',
    edit: 'Modifier',
    editHeading: (name: string) => `Modifier ${name}`,
    saveChanges: 'Enregistrer',
    cancel: 'Annuler',
    notChanged: 'Non enregistré :',
  },
);
type Words = ReturnType<typeof words>;

const REGION = 'technician-rows';

/** The toggles post the state wanted, not "flip": a double submit or a stale page cannot undo itself. */
const wanted = z.strictObject({ value: z.enum(['true', 'false']).transform((v) => v === 'true') });

const technicianForm = z.strictObject({
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  tier: z.string(),
  skills: z.string(),
  maxLoad: z.string(),
  shift: z.string(),
});
type TechnicianForm = z.infer<typeof technicianForm>;
const editQuery = z.object({ edit: z.string().max(40).optional() });

const FIELDS = ['name', 'email', 'phone', 'tier', 'skills', 'maxLoad', 'shift'] as const;
type Field = (typeof FIELDS)[number];

/** A refused form: what was typed, and the message beside its field. */
interface Refusal {
  field: Field | null;
  message: string;
  form: TechnicianForm;
}

/** What the page shows after a post: the new technician's token once, or a refused form (add or edit). */
type Outcome = { added: { name: string; token: string } } | { refused: Refusal } | { editing: Technician; refused: Refusal | null };

function toggle(viewer: Viewer, tech: Technician, what: 'availability' | 'on-call', on: boolean, label: string): Html {
  return html`<form method="post" action="/technicians/${tech.id}/${what}" class="inline">
    ${csrfField(viewer)}<input type="hidden" name="value" value="${on ? 'false' : 'true'}" />
    <button type="submit" class="secondary">${label}<span class="visually-hidden"> – ${tech.name}</span></button>
  </form>`;
}

function rows(viewer: Viewer, t: Words, technicians: readonly Technician[], loads: ReadonlyMap<string, number>): Html {
  if (technicians.length === 0)
    return html`<tr>
      <td colspan="8">${t.none}</td>
    </tr>`;
  // Routing offers only to technicians on shift (rules/offers.ts): say who is, now.
  const now = new Date();
  return html`${technicians.map((tech) => {
    const load = loads.get(tech.id) ?? 0;
    return html`<tr>
      <th scope="row">${tech.name}</th>
      <td>${tech.tier}</td>
      <td>${tech.skills.length > 0 ? tech.skills.join(', ') : t.noSkills}</td>
      <td class="load">
        <span>${load} / ${tech.maxLoad}</span>
        <meter min="0" max="${Math.max(tech.maxLoad, 1)}" value="${load}" aria-label="${t.loadOf(tech.name)}"></meter>
      </td>
      <td>${tech.available ? t.yes : t.no}</td>
      <td>${tech.onCall ? t.yes : t.no}</td>
      <td>
        ${tech.shift ? html`${tech.shift} <span class="hint">(${onShift(tech.shift, now, viewer.timezone) ? t.onShiftNow : t.offShiftNow})</span>` : t.wheneverAvailable}
      </td>
      <td class="actions">
        ${toggle(viewer, tech, 'availability', tech.available, tech.available ? t.makeUnavailable : t.makeAvailable)}
        ${toggle(viewer, tech, 'on-call', tech.onCall, tech.onCall ? t.takeOffCall : t.putOnCall)}
        <a href="/technicians?edit=${tech.id}#edit-technician">${t.edit}<span class="visually-hidden"> – ${tech.name}</span></a>
      </td>
    </tr>`;
  })}`;
}

function input(
  t: Words,
  prefix: string,
  field: Field,
  values: TechnicianForm,
  refusal: Refusal | null,
  attributes: { type?: string; required?: boolean; hint?: string },
): Html {
  const id = `${prefix}-${field}`;
  const invalid = refusal?.field === field;
  const described = [attributes.hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  const label = { name: t.name, email: t.email, phone: t.phone, tier: t.tier, skills: t.skills, maxLoad: t.maxLoad, shift: t.shift }[field];
  const value = values[field];
  return html`<p>
    <label for="${id}">${label}</label>
    ${
      field === 'tier'
        ? html`<select id="${id}" name="tier">
            ${['1', '2', '3'].map((tier) => html`<option value="${tier}" ${value === tier ? html`selected` : ''}>${tier}</option>`)}
          </select>`
        : html`<input
            id="${id}"
            name="${field}"
            type="${attributes.type ?? 'text'}"
            value="${value}"
            ${attributes.required ? html`required` : ''}
            ${described ? html`aria-describedby="${described}"` : ''}
            ${invalid ? html`aria-invalid="true"` : ''}
          />`
    }
    ${attributes.hint ? html`<span class="hint" id="${id}-hint">${attributes.hint}</span>` : ''}
    ${invalid ? html`<span class="error" id="${id}-error">${refusal.message}</span>` : ''}
  </p>`;
}

/** The fields of the add and edit forms; `prefix` keeps their ids apart on one page. */
function fields(t: Words, prefix: string, values: TechnicianForm, refusal: Refusal | null): Html {
  return html`${input(t, prefix, 'name', values, refusal, { required: true })}
  ${input(t, prefix, 'email', values, refusal, { type: 'email' })}
  ${input(t, prefix, 'phone', values, refusal, { type: 'tel', hint: t.phoneHint })} ${input(t, prefix, 'tier', values, refusal, {})}
  ${input(t, prefix, 'skills', values, refusal, { hint: t.skillsHint })} ${input(t, prefix, 'maxLoad', values, refusal, { type: 'number' })}
  ${input(t, prefix, 'shift', values, refusal, { hint: t.shiftHint })}`;
}

const EMPTY_FORM: TechnicianForm = { name: '', email: '', phone: '', tier: '1', skills: '', maxLoad: '5', shift: '' };

function formOf(tech: Technician): TechnicianForm {
  return {
    name: tech.name,
    email: tech.email ?? '',
    phone: tech.phone ?? '',
    tier: String(tech.tier),
    skills: tech.skills.join(', '),
    maxLoad: String(tech.maxLoad),
    shift: tech.shift ?? '',
  };
}

function editForm(viewer: Viewer, t: Words, tech: Technician, refusal: Refusal | null): Html {
  return html`<section aria-labelledby="edit-technician">
    <h2 id="edit-technician">${t.editHeading(tech.name)}</h2>
    ${refusal ? html`<p class="error" role="alert">${t.notChanged} ${refusal.message}</p>` : ''}
    <form method="post" action="/technicians/${tech.id}" class="add-technician">
      ${csrfField(viewer)} ${fields(t, 'edit', refusal?.form ?? formOf(tech), refusal)}
      <button type="submit">${t.saveChanges}</button> <a href="/technicians">${t.cancel}</a>
    </form>
  </section>`;
}

function addForm(viewer: Viewer, t: Words, outcome: Outcome | null): Html {
  const refusal = outcome && 'refused' in outcome && !('editing' in outcome) ? outcome.refused : null;
  return html`<section aria-labelledby="add-technician">
    <h2 id="add-technician">${t.addHeading}</h2>
    ${
      outcome && 'added' in outcome
        ? html`<div class="notice" role="status">
            <p>${t.added(outcome.added.name)}</p>
            <p>${t.tokenOnce} <code class="token">${outcome.added.token}</code></p>
          </div>`
        : ''
    }
    ${refusal ? html`<p class="error" role="alert">${t.refused} ${refusal.message}</p>` : ''}
    <form method="post" action="/technicians" class="add-technician">
      ${csrfField(viewer)} ${fields(t, 'tech', refusal?.form ?? EMPTY_FORM, refusal)}
      <button type="submit">${t.add}</button>
    </form>
  </section>`;
}

async function technicianTable(deps: ConsoleDeps) {
  const [technicians, loads] = await Promise.all([deps.store.technicians.list(), deps.store.technicians.loads()]);
  return { technicians, loads };
}

async function page(deps: ConsoleDeps, viewer: Viewer, outcome: Outcome | null, status = 200): Promise<ConsoleResult> {
  const t = words(viewer.lang);
  const { technicians, loads } = await technicianTable(deps);
  return {
    status,
    page: layout(viewer, {
      title: t.title,
      current: 'technicians',
      body: html`<h1>${t.title}</h1>
        <p class="hint">${t.intro}</p>
        <div class="table-wrap">
          <table class="technicians">
            <thead>
              <tr>
                <th scope="col">${t.name}</th>
                <th scope="col">${t.tier}</th>
                <th scope="col">${t.skills}</th>
                <th scope="col">${t.load}</th>
                <th scope="col">${t.available}</th>
                <th scope="col">${t.onCall}</th>
                <th scope="col">${t.shift}</th>
                <th scope="col">${t.actions}</th>
              </tr>
            </thead>
            <tbody data-live="${REGION}">
              ${rows(viewer, t, technicians, loads)}
            </tbody>
          </table>
        </div>
        ${outcome && 'editing' in outcome ? editForm(viewer, t, outcome.editing, outcome.refused) : ''} ${addForm(viewer, t, outcome)}`,
    }),
  };
}

/**
 * The form's text in the API's shape; the API's own schemas then judge it. An empty optional field
 * is left out of a new technician and cleared (null) on an existing one.
 */
function technicianInput(form: TechnicianForm, empty: undefined | null) {
  const optional = (value: string) => (value.trim() ? value.trim() : empty);
  return {
    name: form.name.trim(),
    email: optional(form.email),
    phone: optional(form.phone),
    shift: optional(form.shift),
    tier: Number(form.tier),
    skills: form.skills
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    maxLoad: form.maxLoad.trim() ? Number(form.maxLoad) : 5,
  };
}

/** A schema's first issue, as the form shows it. */
function refusalOf(error: z.ZodError, form: TechnicianForm): Refusal {
  const issue = error.issues[0];
  const field = fieldOf({ field: issue?.path[0] });
  return { field, message: `${(issue?.path ?? []).map(String).join('.')}: ${issue?.message ?? ''}`, form };
}

/** A use case's refusal (a phone another technician has, a shift it cannot read) as the form shows it. */
function refusalOfError(err: unknown, form: TechnicianForm): Refusal | null {
  if (isAppError(err) && (err.status === 400 || err.status === 409 || err.status === 422)) {
    return { field: fieldOf(err.details), message: err.message, form };
  }
  return null;
}

function fieldOf(details: Record<string, unknown> | undefined): Field | null {
  const field: unknown = details?.field;
  return FIELDS.find((f) => f === field) ?? null;
}

/** `/technicians`: each technician's load, availability, on-call and shift, with the coordinator's toggles. */
export function technicianPages(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    consoleRoute({
      method: 'get',
      path: '/technicians',
      access: 'coordinator',
      query: editQuery,
      async handler({ viewer, query }) {
        if (viewer.fragment === REGION) {
          const { technicians, loads } = await technicianTable(deps);
          return { fragment: rows(viewer, words(viewer.lang), technicians, loads) };
        }
        const editing = query.edit ? await deps.store.technicians.get(query.edit) : null;
        return page(deps, viewer, editing ? { editing, refused: null } : null);
      },
    }),
    consoleRoute({
      method: 'get',
      path: '/technicians/:id',
      access: 'coordinator',
      // A refused edit is shown at the form's address; asked again (the language switch), it is the edit form.
      async handler({ params }) {
        return { redirect: `/technicians?edit=${encodeURIComponent(params.id ?? '')}#edit-technician` };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/technicians/:id/availability',
      access: 'coordinator',
      form: wanted,
      async handler({ params, form }) {
        await changeTechnician(deps.tickets, params.id ?? '', { available: form.value });
        return { redirect: '/technicians' };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/technicians/:id/on-call',
      access: 'coordinator',
      form: wanted,
      async handler({ params, form }) {
        await changeTechnician(deps.tickets, params.id ?? '', { onCall: form.value });
        return { redirect: '/technicians' };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/technicians',
      access: 'coordinator',
      form: technicianForm,
      async handler({ viewer, form }) {
        const checked = technicianBody.safeParse({ ...technicianInput(form, undefined), available: true, onCall: false });
        if (!checked.success) return page(deps, viewer, { refused: refusalOf(checked.error, form) }, 422);
        try {
          const added = await addTechnician(deps.tickets, checked.data);
          // The token is shown in the answer to this post only: a redirect would have to carry it.
          return page(deps, viewer, { added: { name: added.name, token: added.token } });
        } catch (err) {
          const refused = refusalOfError(err, form);
          if (!refused) throw err;
          return page(deps, viewer, { refused }, 422);
        }
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/technicians/:id',
      access: 'coordinator',
      form: technicianForm,
      async handler({ viewer, params, form }) {
        const editing = await technicianOr404(deps.tickets, params.id ?? '');
        const checked = technicianPatchBody.safeParse(technicianInput(form, null));
        if (!checked.success) return page(deps, viewer, { editing, refused: refusalOf(checked.error, form) }, 422);
        try {
          await changeTechnician(deps.tickets, editing.id, checked.data);
        } catch (err) {
          const refused = refusalOfError(err, form);
          if (!refused) throw err;
          return page(deps, viewer, { editing, refused }, 422);
        }
        return { redirect: '/technicians' };
      },
    }),
  ];
}

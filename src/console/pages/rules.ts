import { Info } from 'luxon';
import { z } from 'zod';
import type { BusinessHours } from '../../config/index.js';
import { LEVELS, PRIORITIES, type Language, type Level } from '../../domain/values.js';
import { RULES, categoryBody, categoryName, type RuleName } from '../../rules/rules-schemas.js';
import type { StoredCategory } from '../../store/rules-repository.js';
import { putCategory, replaceRule } from '../../tickets/desk-rules.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { csrfField, layout } from '../layout.js';
import { consoleRoute, type ConsoleResult, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';
import { words, type Words } from './rules/texts.js';

/** The forms of the page; a refused one is shown again with what was typed and the message beside its field. */
type Section = 'calendar' | 'sla-targets' | 'priority-matrix' | 'offer-timeouts' | 'category';

/** Each input is named by its path in the rule's value (`P1.responseMinutes`), so a schema's issue names its field. */
type FormValues = Record<string, string>;

interface Refusal {
  section: Section;
  field: string;
  message: string;
  form: FormValues;
}

const anyForm = z.record(z.string().max(100), z.string().max(20_000));
const categoryQuery = z.object({ category: z.string().max(50).optional() });

function parsedOr<T>(schema: z.ZodType<T>, raw: unknown, fallback: T): T {
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}

/** As GET /api/rules reads them: a stored value its schema refuses counts as the default. */
async function currentRules(deps: ConsoleDeps) {
  const [settings, categories] = await Promise.all([deps.store.rules.settings(), deps.store.rules.categories()]);
  const read = <N extends RuleName>(name: N) => settings.get(name);
  return {
    calendar: parsedOr(RULES.calendar.schema, read('calendar'), RULES.calendar.default),
    sla: parsedOr(RULES['sla-targets'].schema, read('sla-targets'), RULES['sla-targets'].default),
    matrix: parsedOr(RULES['priority-matrix'].schema, read('priority-matrix'), RULES['priority-matrix'].default),
    offers: parsedOr(RULES['offer-timeouts'].schema, read('offer-timeouts'), RULES['offer-timeouts'].default),
    categories,
  };
}
type CurrentRules = Awaited<ReturnType<typeof currentRules>>;

/** What the input shows: what was typed when its form was refused, else the stored value. */
function shown(refusal: Refusal | null, section: Section, name: string, stored: string): string {
  return refusal?.section === section ? (refusal.form[name] ?? '') : stored;
}

function invalidIn(refusal: Refusal | null, section: Section, name: string): boolean {
  return refusal?.section === section && (refusal.field === name || refusal.field.startsWith(`${name}.`));
}

/** The id of an input from its form and name: `sla-targets-P1-responseMinutes`. */
const idOf = (section: Section, name: string) => `${section}-${name.replace(/\./g, '-')}`;

/** An input's error, next to it; the control points at it with aria-describedby. */
function fieldError(refusal: Refusal | null, section: Section, name: string): Html {
  return invalidIn(refusal, section, name) && refusal
    ? html`<span class="error" id="${idOf(section, name)}-error">${refusal.message}</span>`
    : html``;
}

function described(refusal: Refusal | null, section: Section, name: string, hint?: string): Html {
  const ids = [hint ? hint : '', invalidIn(refusal, section, name) ? `${idOf(section, name)}-error` : ''].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${invalidIn(refusal, section, name) ? html` aria-invalid="true"` : ''}`;
}

function numberInput(refusal: Refusal | null, section: Section, name: string, label: string, stored: number, visibleLabel = false): Html {
  const id = idOf(section, name);
  return html`<label for="${id}" ${visibleLabel ? '' : html`class="visually-hidden"`}>${label}</label>
    <input
      id="${id}"
      name="${name}"
      inputmode="decimal"
      value="${shown(refusal, section, name, String(stored))}"
      ${described(refusal, section, name)}
    />
    ${fieldError(refusal, section, name)}`;
}

function refusedNote(t: Words, refusal: Refusal | null, section: Section): Html {
  return refusal?.section === section ? html`<p class="error" role="alert">${t.refused} ${refusal.message}</p>` : html``;
}

function minutesOf(window: { startMinute: number; endMinute: number }): string {
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hhmm(window.startMinute)}–${hhmm(window.endMinute)}`;
}

function businessHours(t: Words, lang: Language, hours: BusinessHours, timezone: string): Html {
  const days = Info.weekdays('long', { locale: lang });
  return html`<section aria-labelledby="business-hours">
    <h2 id="business-hours">${t.businessHours}</h2>
    <p class="hint">${t.businessHoursSet(timezone)}</p>
    ${
      hours.kind === 'always'
        ? html`<p>${t.alwaysOpen}</p>`
        : html`<dl class="facts">
            ${days.map((day, index) => {
              const windows = hours.windows.filter((w) => w.weekday === index + 1);
              return html`<dt>${day}</dt>
                <dd>${windows.length > 0 ? windows.map(minutesOf).join(', ') : t.closed}</dd>`;
            })}
          </dl>`
    }
  </section>`;
}

function holidays(viewer: Viewer, t: Words, rules: CurrentRules, refusal: Refusal | null): Html {
  const section = 'calendar';
  const id = idOf(section, 'holidays');
  return html`<section aria-labelledby="holidays">
    <h2 id="holidays">${t.holidays}</h2>
    ${refusedNote(t, refusal, section)}
    <form method="post" action="/rules/calendar">
      ${csrfField(viewer)}
      <label for="${id}">${t.holidaysLabel}</label>
      <textarea id="${id}" name="holidays" rows="5" ${described(refusal, section, 'holidays', `${id}-hint`)}>
${shown(refusal, section, 'holidays', rules.calendar.holidays.join('\n'))}</textarea>
      <span class="hint" id="${id}-hint">${t.holidaysHint}</span>
      ${fieldError(refusal, section, 'holidays')}
      <p><button type="submit">${t.saveHolidays}</button></p>
    </form>
  </section>`;
}

function slaTargets(viewer: Viewer, t: Words, rules: CurrentRules, refusal: Refusal | null): Html {
  const section = 'sla-targets';
  return html`<section aria-labelledby="sla">
    <h2 id="sla">${t.sla}</h2>
    <p class="hint">${t.slaHint}</p>
    ${refusedNote(t, refusal, section)}
    <form method="post" action="/rules/sla-targets">
      ${csrfField(viewer)}
      <div class="table-wrap">
        <table class="rules">
          <thead>
            <tr>
              <th scope="col">${t.priority}</th>
              <th scope="col">${t.response}</th>
              <th scope="col">${t.resolution}</th>
              <th scope="col">${t.aroundTheClock}</th>
            </tr>
          </thead>
          <tbody>
            ${PRIORITIES.map((p) => {
              const target = rules.sla[p];
              const clockName = `${p}.aroundTheClock`;
              const checked = refusal?.section === section ? refusal.form[clockName] === 'on' : target.aroundTheClock;
              return html`<tr>
                <th scope="row">${p}</th>
                <td>${numberInput(refusal, section, `${p}.responseMinutes`, t.responseOf(p), target.responseMinutes)}</td>
                <td>${numberInput(refusal, section, `${p}.resolutionMinutes`, t.resolutionOf(p), target.resolutionMinutes)}</td>
                <td>
                  <label class="visually-hidden" for="${idOf(section, clockName)}">${t.clockOf(p)}</label>
                  <input type="checkbox" id="${idOf(section, clockName)}" name="${clockName}" ${checked ? html`checked` : ''} />
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <p><button type="submit">${t.saveSla}</button></p>
    </form>
  </section>`;
}

function matrix(viewer: Viewer, t: Words, rules: CurrentRules, refusal: Refusal | null): Html {
  const section = 'priority-matrix';
  const level = (l: Level) => t[`level_${l}`];
  return html`<section aria-labelledby="matrix">
    <h2 id="matrix">${t.matrix}</h2>
    <p class="hint">${t.matrixHint}</p>
    ${refusedNote(t, refusal, section)}
    <form method="post" action="/rules/priority-matrix">
      ${csrfField(viewer)}
      <div class="table-wrap">
        <table class="rules matrix">
          <thead>
            <tr>
              <th scope="col">${t.impact} \\ ${t.urgency}</th>
              ${LEVELS.map((u) => html`<th scope="col">${level(u)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${LEVELS.map(
              (impact) =>
                html`<tr>
                  <th scope="row">${level(impact)}</th>
                  ${LEVELS.map((urgency) => {
                    const name = `${impact}.${urgency}`;
                    const id = idOf(section, name);
                    const value = shown(refusal, section, name, rules.matrix[impact][urgency]);
                    return html`<td>
                      <label class="visually-hidden" for="${id}">${t.cellOf(level(impact), level(urgency))}</label>
                      <select id="${id}" name="${name}" ${described(refusal, section, name)}>
                        ${PRIORITIES.map((p) => html`<option value="${p}" ${value === p ? html`selected` : ''}>${p}</option>`)}
                      </select>
                      ${fieldError(refusal, section, name)}
                    </td>`;
                  })}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <p><button type="submit">${t.saveMatrix}</button></p>
    </form>
  </section>`;
}

function offerTimeouts(viewer: Viewer, t: Words, rules: CurrentRules, refusal: Refusal | null): Html {
  const section = 'offer-timeouts';
  return html`<section aria-labelledby="offers">
    <h2 id="offers">${t.offers}</h2>
    <p class="hint">${t.offersHint}</p>
    ${refusedNote(t, refusal, section)}
    <form method="post" action="/rules/offer-timeouts" class="offer-timeouts">
      ${csrfField(viewer)}
      ${PRIORITIES.map((p) => html`<p>${numberInput(refusal, section, `timeouts.${p}`, t.timeoutOf(p), rules.offers.timeouts[p], true)}</p>`)}
      <p>${numberInput(refusal, section, 'reminderRatio', t.reminderRatio, rules.offers.reminderRatio, true)}</p>
      <p>${numberInput(refusal, section, 'p1RepeatMinutes', t.p1Repeat, rules.offers.p1RepeatMinutes, true)}</p>
      <p><button type="submit">${t.saveOffers}</button></p>
    </form>
  </section>`;
}

function textInput(refusal: Refusal | null, name: string, label: string, stored: string, hint?: string): Html {
  const section = 'category';
  const id = idOf(section, name);
  return html`<p>
    <label for="${id}">${label}</label>
    <input
      id="${id}"
      name="${name}"
      value="${shown(refusal, section, name, stored)}"
      ${described(refusal, section, name, hint ? `${id}-hint` : undefined)}
    />
    ${hint ? html`<span class="hint" id="${id}-hint">${hint}</span>` : ''} ${fieldError(refusal, section, name)}
  </p>`;
}

function categories(viewer: Viewer, t: Words, rules: CurrentRules, refusal: Refusal | null, editing: StoredCategory | null): Html {
  const section = 'category';
  const id = idOf(section, 'startTier');
  const tier = shown(refusal, section, 'startTier', String(editing?.startTier ?? 1));
  return html`<section aria-labelledby="categories">
    <h2 id="categories">${t.categories}</h2>
    <p class="hint">${t.categoriesHint}</p>
    <div class="table-wrap">
      <table class="rules">
        <thead>
          <tr>
            <th scope="col">${t.category}</th>
            <th scope="col">${t.skills}</th>
            <th scope="col">${t.startTier}</th>
            <th scope="col">${t.keywords}</th>
            <th scope="col"><span class="visually-hidden">${t.edit}</span></th>
          </tr>
        </thead>
        <tbody>
          ${rules.categories.map(
            (c) =>
              html`<tr>
                <th scope="row">${c.name}</th>
                <td>${c.skills.length > 0 ? c.skills.join(', ') : t.none}</td>
                <td>${c.startTier}</td>
                <td>${c.keywords.join(', ')}</td>
                <td>
                  <a href="/rules?category=${encodeURIComponent(c.name)}#edit-category"
                    >${t.edit}<span class="visually-hidden"> ${c.name}</span></a
                  >
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h3 id="edit-category">${t.editCategory}</h3>
    ${refusedNote(t, refusal, section)}
    <form method="post" action="/rules/categories" class="category">
      ${csrfField(viewer)} ${textInput(refusal, 'name', t.name, editing?.name ?? '')}
      ${textInput(refusal, 'skills', t.skills, editing?.skills.join(', ') ?? '', t.skillsHint)}
      <p>
        <label for="${id}">${t.startTier}</label>
        <select id="${id}" name="startTier" ${described(refusal, section, 'startTier')}>
          ${['1', '2', '3'].map((n) => html`<option value="${n}" ${tier === n ? html`selected` : ''}>${n}</option>`)}
        </select>
        ${fieldError(refusal, section, 'startTier')}
      </p>
      <p>
        <label for="category-keywords">${t.keywords}</label>
        <textarea id="category-keywords" name="keywords" rows="3" ${described(refusal, section, 'keywords', 'category-keywords-hint')}>
${shown(refusal, section, 'keywords', editing?.keywords.join(', ') ?? '')}</textarea>
        <span class="hint" id="category-keywords-hint">${t.keywordsHint}</span> ${fieldError(refusal, section, 'keywords')}
      </p>
      <p><button type="submit">${t.saveCategory}</button></p>
    </form>
  </section>`;
}

async function page(deps: ConsoleDeps, viewer: Viewer, refusal: Refusal | null, editName?: string): Promise<ConsoleResult> {
  const t = words(viewer.lang);
  const rules = await currentRules(deps);
  const editing = rules.categories.find((c) => c.name === editName) ?? null;
  return {
    status: refusal ? 422 : 200,
    page: layout(viewer, {
      title: t.title,
      current: 'rules',
      body: html`<h1>${t.title}</h1>
        <p class="hint">${t.intro}</p>
        ${businessHours(t, viewer.lang, deps.config.businessHours, deps.config.timezone)} ${holidays(viewer, t, rules, refusal)}
        ${slaTargets(viewer, t, rules, refusal)} ${matrix(viewer, t, rules, refusal)} ${offerTimeouts(viewer, t, rules, refusal)}
        ${categories(viewer, t, rules, refusal, editing)}`,
    }),
  };
}

/** A typed number as the schema should judge it: empty stays empty (refused as missing), not 0. */
function numberOf(text: string | undefined): number | undefined {
  const trimmed = (text ?? '').trim().replace(',', '.');
  return trimmed === '' ? undefined : Number(trimmed);
}

const listOf = (text: string | undefined, separator: RegExp) =>
  (text ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);

/** Each form's fields as the rule's value, in the shape PUT /api/rules/:name takes. */
const VALUES: Record<Exclude<Section, 'category'>, (form: FormValues) => unknown> = {
  calendar: (form) => ({ holidays: listOf(form.holidays, /[\s,;]+/) }),
  'sla-targets': (form) =>
    Object.fromEntries(
      PRIORITIES.map((p) => [
        p,
        {
          responseMinutes: numberOf(form[`${p}.responseMinutes`]),
          resolutionMinutes: numberOf(form[`${p}.resolutionMinutes`]),
          aroundTheClock: form[`${p}.aroundTheClock`] === 'on',
        },
      ]),
    ),
  'priority-matrix': (form) =>
    Object.fromEntries(LEVELS.map((impact) => [impact, Object.fromEntries(LEVELS.map((u) => [u, form[`${impact}.${u}`]]))])),
  'offer-timeouts': (form) => ({
    timeouts: Object.fromEntries(PRIORITIES.map((p) => [p, numberOf(form[`timeouts.${p}`])])),
    reminderRatio: numberOf(form.reminderRatio),
    p1RepeatMinutes: numberOf(form.p1RepeatMinutes),
  }),
};

/** Where each form's section starts, to land back on it. */
const HEADINGS: Record<Exclude<Section, 'category'>, string> = {
  calendar: 'holidays',
  'sla-targets': 'sla',
  'priority-matrix': 'matrix',
  'offer-timeouts': 'offers',
};

function issueOf(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = (issue?.path ?? []).map(String).join('.');
  return { field, message: `${field || 'value'}: ${issue?.message ?? 'invalid'}` };
}

/** `/rules`: business hours and holidays, SLA targets, the priority matrix, offer timeouts, categories. */
export function rulePages(deps: ConsoleDeps): ConsoleRoute[] {
  // As the API's PUT /api/rules/:name: validated by the rule's schema, then stored by the same use case.
  const ruleForm = (section: Exclude<Section, 'category'>) =>
    consoleRoute({
      method: 'post',
      path: `/rules/${section}`,
      access: 'coordinator',
      form: anyForm,
      async handler({ viewer, form }) {
        const parsed = (RULES[section].schema as z.ZodType<unknown>).safeParse(VALUES[section](form));
        if (!parsed.success) return page(deps, viewer, { section, ...issueOf(parsed.error), form });
        await replaceRule(deps.tickets, section, parsed.data);
        return { redirect: `/rules#${HEADINGS[section]}` };
      },
    });
  return [
    consoleRoute({
      method: 'get',
      path: '/rules',
      access: 'coordinator',
      query: categoryQuery,
      async handler({ viewer, query }) {
        return page(deps, viewer, null, query.category);
      },
    }),
    consoleRoute({
      method: 'get',
      path: '/rules/:form',
      access: 'coordinator',
      // A refused form is shown at its own address; the language switch asks for that address again.
      async handler() {
        return { redirect: '/rules' };
      },
    }),
    ruleForm('calendar'),
    ruleForm('sla-targets'),
    ruleForm('priority-matrix'),
    ruleForm('offer-timeouts'),
    consoleRoute({
      method: 'post',
      path: '/rules/categories',
      access: 'coordinator',
      form: anyForm,
      async handler({ viewer, form }) {
        const name = categoryName.safeParse(form.name ?? '');
        if (!name.success) {
          const message = `name: ${name.error.issues[0]?.message ?? 'invalid'}`;
          return page(deps, viewer, { section: 'category', field: 'name', message, form });
        }
        const body = categoryBody.safeParse({
          skills: listOf(form.skills, /,/).map((s) => s.toLowerCase()),
          startTier: Number(form.startTier),
          keywords: listOf(form.keywords, /,/),
        });
        if (!body.success) return page(deps, viewer, { section: 'category', ...issueOf(body.error), form });
        await putCategory(deps.tickets, { name: name.data, ...body.data });
        return { redirect: '/rules#categories' };
      },
    }),
  ];
}

import type { TicketEvent } from '../../../domain/ticket.js';
import { html, type Html } from '../../html.js';
import { formatDateTime } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import type { TicketView } from './model.js';
import { decidedBy, exclusionKind, readReason } from './reasons.js';
import type { TicketTexts } from './texts.js';

/**
 * The routing explanation: the last decision about who should have the ticket, as routing recorded
 * it in the event (src/routing/decide.ts `explain`: the best candidates with their reasons, how many
 * were excluded for what, the tier and skills looked for), or that a coordinator chose.
 */

/** What routing/decide.ts records under `why`, read defensively: events outlive the code that wrote them. */
interface Why {
  chosen: string | null;
  decidedBy: string | null;
  top: { id: string; reasons: string[] }[];
  eligible: number;
  excluded: Array<[string, number]>;
  tier: number | null;
  requiredSkills: string[];
  considered: number;
  reason: string | null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function readWhy(value: unknown): Why | null {
  if (typeof value !== 'object' || value === null) return null;
  const get = (key: string): unknown => Reflect.get(value, key);
  const listed: unknown = get('top');
  const top: unknown[] = Array.isArray(listed) ? listed : [];
  const excluded = get('excluded');
  return {
    chosen: typeof get('chosen') === 'string' ? String(get('chosen')) : null,
    decidedBy: typeof get('decidedBy') === 'string' ? String(get('decidedBy')) : null,
    top: top.flatMap((c) => {
      if (typeof c !== 'object' || c === null) return [];
      const id: unknown = Reflect.get(c, 'id');
      return typeof id === 'string' ? [{ id, reasons: strings(Reflect.get(c, 'reasons')) }] : [];
    }),
    eligible: count(get('eligible')),
    excluded:
      typeof excluded === 'object' && excluded !== null
        ? Object.entries(excluded).map(([kind, n]): [string, number] => [kind, count(n)])
        : [],
    tier: typeof get('tier') === 'number' ? count(get('tier')) : null,
    requiredSkills: strings(get('requiredSkills')),
    considered: count(get('considered')),
    reason: typeof get('reason') === 'string' ? String(get('reason')) : null,
  };
}

/** The last decision: an offer (by routing or a coordinator) or routing leaving it waiting. */
function lastDecision(events: readonly TicketEvent[]): TicketEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e && (e.type === 'assigned' || e.type === 'queued')) return e;
  }
  return null;
}

/** The live region `ticket-routing`. */
export function routingRegion(view: TicketView, viewer: Viewer, t: TicketTexts): Html {
  const event = lastDecision(view.ticket.events);
  const assessment = strings(view.ticket.events.find((e) => e.type === 'created')?.data.why);
  const assessed =
    assessment.length > 0
      ? html`<p class="muted">${t.assessed}</p>
          <ul class="assessment">
            ${assessment.map((r) => html`<li>${r}</li>`)}
          </ul>`
      : '';
  if (!event)
    return html`<p>${t.routingNone}</p>
      ${assessed}`;
  const name = (id: string) => view.names.get(id) ?? t.actorUnknownTechnician;
  const when = html`<p class="muted">${t.routingAt(formatDateTime(event.at, viewer))}</p>`;
  const why = readWhy(event.data.why);
  if (!why) {
    // Assigned by a person (PATCH assigneeId, the reassign form): nothing was ranked.
    return html`${when}
      <p>${t.routingByCoordinator}</p>
      ${assessed}`;
  }
  const summary =
    event.type === 'assigned' && why.chosen
      ? t.routingChosen(name(why.chosen), decidedBy(why.decidedBy ?? '', t))
      : (why.reason ?? t.routingQueued);
  return html`${when}
    <p><strong>${summary}</strong></p>
    <p>
      ${why.tier !== null ? t.routingLookedFor(why.tier, why.requiredSkills.join(', ')) : ''}
      ${t.routingConsidered(why.considered, why.eligible)}
    </p>
    ${
      why.top.length > 0
        ? html`<div class="table-wrap">
            <table class="candidates">
              <caption>
                ${t.routingCandidates}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.candidate}</th>
                  <th scope="col">${t.why}</th>
                </tr>
              </thead>
              <tbody>
                ${why.top.map(
                  (c) =>
                    html`<tr class="${c.id === why.chosen ? 'chosen' : ''}">
                      <th scope="row">${name(c.id)}</th>
                      <td>${c.reasons.map((r) => readReason(r, t, viewer)).join(' · ')}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : ''
    }
    ${
      why.excluded.length > 0
        ? html`<p>${t.routingExcluded}: ${why.excluded.map(([kind, n]) => `${exclusionKind(kind, t)} (${n})`).join(', ')}</p>`
        : ''
    }
    ${assessed}`;
}

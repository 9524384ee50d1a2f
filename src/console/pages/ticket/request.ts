import type { ApprovalInfo, ApproverContact } from '../../../domain/ticket.js';
import { reference, type Language } from '../../../domain/values.js';
import { html, type Html } from '../../html.js';
import { formatDateTime, texts } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import type { TicketView } from './model.js';

/**
 * A service request on the ticket page (#17): what was asked for (the catalog item and the fields
 * as the requester filled them, under the labels the catalog gives them now), who was asked to
 * approve it and what each answered, how, when and why, and the tasks it opened once approved.
 */

const capital = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

export const requestTexts = texts(
  {
    heading: 'Request',
    type: 'Type',
    type_incident: 'Incident',
    type_request: 'Request',
    item: 'Item',
    fields: 'What was asked',
    rule: 'Approval',
    rule_any: 'the first answer decides',
    rule_all: 'every approver must approve',
    approvals: 'Approvers',
    noApprovers: 'No approval needed.',
    waiting: 'waiting',
    approved: 'approved',
    rejected: 'rejected',
    via_link: 'by the email link',
    via_sms: 'by SMS',
    via_api: 'in the console or by the API',
    children: 'Tasks',
    noChildren: 'none yet (opened once approved)',
    parent: 'Part of request',
    yes: 'yes',
    no: 'no',
    // The coordinator's decision forms
    decideHeading: 'Decide the request',
    decideHint: 'Decides for every approver: the request is routed once approved, closed once rejected.',
    approve: 'Approve',
    reject: 'Reject',
    rejectComment: 'Why it is rejected (sent to the requester)',
    commentRequired: 'Say why it is rejected: the requester is told.',
    // The timeline
    ev_approval: (decision: string, who: string, via: string) => `${capital(decision)} by ${who} ${via}`,
  },
  {
    heading: 'Demande',
    type: 'Type',
    type_incident: 'Incident',
    type_request: 'Demande',
    item: 'Article',
    fields: 'Ce qui est demandé',
    rule: 'Approbation',
    rule_any: 'la première réponse décide',
    rule_all: 'chaque approbateur doit approuver',
    approvals: 'Approbateurs',
    noApprovers: 'Aucune approbation nécessaire.',
    waiting: 'en attente',
    approved: 'approuvée',
    rejected: 'refusée',
    via_link: 'par le lien de l’e-mail',
    via_sms: 'par SMS',
    via_api: 'dans la console ou par l’API',
    children: 'Tâches',
    noChildren: 'aucune pour l’instant (ouvertes une fois la demande approuvée)',
    parent: 'Fait partie de la demande',
    yes: 'oui',
    no: 'non',
    decideHeading: 'Décider de la demande',
    decideHint: 'Décide pour tous les approbateurs : approuvée, la demande est routée ; refusée, elle est close.',
    approve: 'Approuver',
    reject: 'Refuser',
    rejectComment: 'Pourquoi elle est refusée (envoyé au demandeur)',
    commentRequired: 'Dites pourquoi elle est refusée : le demandeur en est informé.',
    ev_approval: (decision: string, who: string, via: string) => `${capital(decision)} par ${who} ${via}`,
  },
);
export type RequestTexts = ReturnType<typeof requestTexts>;

/** The approver as a person reads them: a name, else how they were reached. */
export function approverName(approver: ApproverContact): string {
  return approver.name ?? approver.email ?? approver.phone ?? '—';
}

export function decisionWord(decision: unknown, r: RequestTexts): string {
  return decision === 'approved' ? r.approved : decision === 'rejected' ? r.rejected : r.waiting;
}

export function viaWord(via: unknown, r: RequestTexts): string {
  return via === 'link' ? r.via_link : via === 'sms' ? r.via_sms : via === 'api' ? r.via_api : '';
}

function fieldValue(value: string | number | boolean, r: RequestTexts): string {
  return typeof value === 'boolean' ? (value ? r.yes : r.no) : String(value);
}

/** One approver and their answer: who, what, how, when, why (a list: the side column is narrow). */
function approvalItem(a: ApprovalInfo, viewer: Viewer, r: RequestTexts): Html {
  const ways = [a.approver.email, a.approver.phone].filter((w): w is string => Boolean(w));
  const how = viaWord(a.via, r);
  return html`<li class="approval approval-${a.decision ?? 'waiting'}">
    <span class="approver">${approverName(a.approver)}</span>${
      a.approver.name && ways.length > 0 ? html` <span class="muted">(${ways.join(', ')})</span>` : ''
    }: <span class="decision">${decisionWord(a.decision, r)}</span>${how ? html` ${how}` : ''}${
      a.at ? html`, <time datetime="${a.at}">${formatDateTime(a.at, viewer)}</time>` : ''
    }
    ${a.comment ? html`<p class="text comment">${a.comment}</p>` : ''}
  </li>`;
}

/** The request's panel: the item, its fields, the approvals, the tasks. Nothing for an incident. */
export function requestPanel(view: TicketView, viewer: Viewer): Html {
  const request = view.ticket.request;
  if (!request) return html``;
  const r = requestTexts(viewer.lang);
  const labels = new Map((view.item?.fields ?? []).map((f) => [f.name, f.label]));
  const fields = Object.entries(request.fields);
  return html`<section class="panel request" aria-labelledby="request-title">
    <h2 id="request-title">${r.heading}</h2>
    <dl class="facts">
      <div>
        <dt>${r.item}</dt>
        <dd data-item="${request.item.id}">${request.item.name}</dd>
      </div>
      <div>
        <dt>${r.rule}</dt>
        <dd>${request.approval === 'all' ? r.rule_all : r.rule_any}</dd>
      </div>
    </dl>
    ${
      fields.length > 0
        ? html`<h3>${r.fields}</h3>
            <dl class="facts request-fields">
              ${fields.map(
                ([name, value]) =>
                  html`<div>
                    <dt>${labels.get(name) ?? name}</dt>
                    <dd class="text">${fieldValue(value, r)}</dd>
                  </div>`,
              )}
            </dl>`
        : ''
    }
    <h3>${r.approvals}</h3>
    ${
      request.approvals.length === 0
        ? html`<p>${r.noApprovers}</p>`
        : html`<ul class="approvals">
            ${request.approvals.map((a) => approvalItem(a, viewer, r))}
          </ul>`
    }
    <h3>${r.children}</h3>
    ${
      request.children.length === 0
        ? html`<p>${r.noChildren}</p>`
        : html`<ul class="children">
            ${request.children.map((n) => html`<li><a href="/tickets/${n}">${reference(n)}</a></li>`)}
          </ul>`
    }
  </section>`;
}

/** The type badge of the header, and for a child task the request it belongs to. */
export function typeBadge(view: TicketView, lang: Language): Html {
  const r = requestTexts(lang);
  const type = view.ticket.type;
  return html`<span class="badge type type-${type}"
    ><span class="visually-hidden">${r.type}: </span>${type === 'request' ? r.type_request : r.type_incident}</span
  >`;
}

export function parentFact(view: TicketView, lang: Language): Html {
  if (!view.parent) return html``;
  const r = requestTexts(lang);
  return html`<div>
    <dt>${r.parent}</dt>
    <dd><a href="/tickets/${view.parent.number}">${reference(view.parent.number)}</a> ${view.parent.subject}</dd>
  </div>`;
}

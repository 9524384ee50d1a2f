import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Ticket } from '../../domain/ticket.js';
import type { Language } from '../../domain/values.js';
import { isAppError } from '../../errors.js';
import { approvalLinksOf, approvalOfCode } from '../../notify/approval-link.js';
import type { Approval, RequestRecord } from '../../store/approval-repository.js';
import { answerApproval, type ApprovalOutcome } from '../../tickets/approvals.js';
import { capabilityErrors, messagePage, sendCapabilityPage } from '../capability-page.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { texts } from '../i18n.js';
import { bareLayout } from '../layout.js';
import { languageOf } from '../viewer.js';

/**
 * The approvers' page (#17), `/approvals/<code>`, without a token or a session: the code is the
 * proof (notify/approval-link.ts). Opening it changes nothing (mail scanners and link previews
 * fetch links before a person does): it shows the request, an Approve button and a Reject form
 * whose comment is required; only the form's POST decides, through the same use case as an SMS or
 * the API (tickets/approvals.ts), once. A decided approval, or a request decided by another
 * approver, shows "already decided" and changes nothing.
 */

const words = texts(
  {
    title: (ref: string) => `Approval of ${ref}`,
    asks: (who: string, item: string) => `${who} asks for: ${item}`,
    someone: 'Someone',
    requester: 'Requester',
    fields: 'The request',
    yes: 'Yes',
    no: 'No',
    approve: 'Approve',
    rejectHeading: 'Reject',
    comment: 'Reason for rejecting (sent to the requester)',
    reject: 'Reject',
    commentRequired: 'Say why you reject the request: the requester will be told.',
    approvedTitle: 'Approved',
    approved: 'Thank you: the request is approved, and the desk takes it from here.',
    countedTitle: 'Approval recorded',
    counted: 'Thank you: your approval is recorded. The request goes ahead once every approver has approved it.',
    rejectedTitle: 'Rejected',
    rejected: 'The request is rejected and closed; the requester will be told your reason.',
    decidedTitle: 'Already decided',
    decided: 'This request has already been decided: your answer changes nothing.',
    notFoundTitle: 'Link not found',
    notFound: 'This link is not valid. Open it again from our message.',
    refusedTitle: 'Refused',
    refused: 'This answer did not come from the approval page. Open the link from our message again.',
    failedTitle: 'Something went wrong',
    failed: 'Your answer could not be recorded. Try again in a moment.',
  },
  {
    title: (ref: string) => `Approbation de ${ref}`,
    asks: (who: string, item: string) => `${who} demande : ${item}`,
    someone: 'Quelqu’un',
    requester: 'Demandeur',
    fields: 'La demande',
    yes: 'Oui',
    no: 'Non',
    approve: 'Approuver',
    rejectHeading: 'Refuser',
    comment: 'Motif du refus (transmis au demandeur)',
    reject: 'Refuser',
    commentRequired: 'Dites pourquoi vous refusez la demande : le demandeur en sera informé.',
    approvedTitle: 'Approuvée',
    approved: 'Merci : la demande est approuvée, et le support prend le relais.',
    countedTitle: 'Accord enregistré',
    counted: 'Merci : votre accord est enregistré. La demande sera traitée quand tous les approbateurs l’auront approuvée.',
    rejectedTitle: 'Refusée',
    rejected: 'La demande est refusée et close ; le demandeur sera informé de votre motif.',
    decidedTitle: 'Déjà décidée',
    decided: 'Cette demande a déjà été décidée : votre réponse ne change rien.',
    notFoundTitle: 'Lien introuvable',
    notFound: "Ce lien n'est pas valide. Ouvrez-le à nouveau depuis notre message.",
    refusedTitle: 'Refusé',
    refused: "Cette réponse ne vient pas de la page d'approbation. Ouvrez à nouveau le lien de notre message.",
    failedTitle: 'Une erreur est survenue',
    failed: "Votre réponse n'a pas pu être enregistrée. Réessayez dans un instant.",
  },
);

type Words = ReturnType<typeof words>;
type Key = { [K in keyof Words]: Words[K] extends string ? K : never }[keyof Words];

const answerForm = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(5_000).optional(),
});

/** What the page shows: the approval, its request and the ticket, or null when the code opens nothing. */
interface Opened {
  approval: Approval;
  ticket: Ticket;
  request: RequestRecord | null;
  labels: Map<string, string>;
}

const OUTCOME_PAGES: Record<ApprovalOutcome, [number, Key, Key]> = {
  approved: [200, 'approvedTitle', 'approved'],
  counted: [200, 'countedTitle', 'counted'],
  rejected: [200, 'rejectedTitle', 'rejected'],
  settled: [410, 'decidedTitle', 'decided'],
};

export function approvalRouter(deps: ConsoleDeps, options: { forms: RequestHandler }): Router {
  const router = express.Router();
  const { secret } = approvalLinksOf(deps.config);

  async function open(req: Request): Promise<Opened | null> {
    const code = typeof req.params.code === 'string' ? req.params.code : '';
    const id = secret ? approvalOfCode(secret, code) : null;
    const approval = id ? await deps.store.approvals.get(id) : null;
    if (!approval) return null;
    const [ticket, request] = await Promise.all([
      deps.store.tickets.get(approval.ticketId),
      deps.store.approvals.request(approval.ticketId),
    ]);
    if (!ticket) return null;
    const item = request ? await deps.store.catalog.get(request.itemId) : null;
    return { approval, ticket, request, labels: new Map((item?.fields ?? []).map((f) => [f.name, f.label])) };
  }
  const decided = (o: Opened) => o.approval.decision !== null || o.approval.mootAt !== null || o.ticket.status !== 'awaiting_approval';

  router.get('/approvals/:code', (req, res, next) => {
    res.locals.routePattern = '/approvals/:code';
    Promise.resolve()
      .then(async () => {
        const opened = await open(req);
        const lang = languageOf(req, res, opened?.approval.language ?? deps.config.language);
        if (!opened) return sendCapabilityPage(res, 404, pageOf(lang, 'notFoundTitle', 'notFound'));
        if (decided(opened)) return sendCapabilityPage(res, 200, requestPage(lang, opened, messageOf(lang, 'decided')));
        sendCapabilityPage(res, 200, requestPage(lang, opened, forms(lang, req, null)));
      })
      .catch(next);
  });

  router.post('/approvals/:code', options.forms, (req, res, next) => {
    res.locals.routePattern = '/approvals/:code';
    Promise.resolve()
      .then(async () => {
        const opened = await open(req);
        const lang = languageOf(req, res, opened?.approval.language ?? deps.config.language);
        // No session, so no CSRF secret: the code is the proof. A browser says where a form came
        // from (Origin, on every POST); one from another site is refused.
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== new URL(deps.config.publicUrl).origin) {
          return sendCapabilityPage(res, 403, pageOf(lang, 'refusedTitle', 'refused'));
        }
        if (!opened) return sendCapabilityPage(res, 404, pageOf(lang, 'notFoundTitle', 'notFound'));
        const parsed = answerForm.safeParse(req.body);
        if (!parsed.success) return sendCapabilityPage(res, 400, pageOf(lang, 'refusedTitle', 'refused'));
        if (decided(opened)) return sendCapabilityPage(res, 410, pageOf(lang, 'decidedTitle', 'decided'));
        const { decision, comment } = parsed.data;
        let outcome: ApprovalOutcome;
        try {
          outcome = await answerApproval(
            deps.tickets,
            opened.approval.id,
            decision === 'approve'
              ? { decision: 'approved', via: 'link' }
              : { decision: 'rejected', via: 'link', comment: comment?.trim() ?? '' },
          );
        } catch (err) {
          // The API's 422, as a page: the form again, the error beside the comment.
          if (isAppError(err) && err.code === 'COMMENT_REQUIRED') {
            return sendCapabilityPage(res, 422, requestPage(lang, opened, forms(lang, req, words(lang).commentRequired)));
          }
          throw err;
        }
        const [status, title, message] = OUTCOME_PAGES[outcome];
        sendCapabilityPage(res, status, pageOf(lang, title, message));
      })
      .catch(next);
  });

  router.use(
    capabilityErrors(deps, {
      route: () => '/approvals/:code',
      what: 'approval page',
      failed: (lang) => pageOf(lang, 'failedTitle', 'failed'),
      refused: (lang) => pageOf(lang, 'refusedTitle', 'refused'),
    }),
  );
  return router;
}

function valueText(lang: Language, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? words(lang).yes : words(lang).no;
  return String(value);
}

function requestPage(lang: Language, o: Opened, footer: Html): Html {
  const t = words(lang);
  const itemName = o.request?.itemName ?? o.ticket.subject;
  const who = o.ticket.requester.name ?? o.ticket.requester.email ?? o.ticket.requester.phone ?? t.someone;
  const fields = Object.entries(o.request?.fields ?? {});
  return bareLayout(lang, {
    title: t.title(o.ticket.reference),
    body: html`<h1>${t.title(o.ticket.reference)}</h1>
      <p class="approval-asks">${t.asks(who, itemName)}</p>
      <section aria-labelledby="approval-fields">
        <h2 id="approval-fields">${t.fields}</h2>
        <dl class="approval-fields">
          <dt>${t.requester}</dt>
          <dd>${[o.ticket.requester.name, o.ticket.requester.email, o.ticket.requester.phone].filter(Boolean).join(' · ')}</dd>
          ${fields.map(
            ([name, value]) =>
              html`<dt>${o.labels.get(name) ?? name}</dt>
                <dd>${valueText(lang, value)}</dd>`,
          )}
        </dl>
        ${fields.length === 0 ? html`<p class="approval-description">${o.ticket.description}</p>` : ''}
      </section>
      ${footer}`,
  });
}

function forms(lang: Language, req: Request, commentError: string | null): Html {
  const t = words(lang);
  const action = `/approvals/${encodeURIComponent(String(req.params.code))}`;
  return html`<form method="post" action="${action}" class="approval-approve">
      <input type="hidden" name="decision" value="approve" />
      <button type="submit">${t.approve}</button>
    </form>
    <form method="post" action="${action}" class="approval-reject" id="reject">
      <h2>${t.rejectHeading}</h2>
      <input type="hidden" name="decision" value="reject" />
      <label for="approval-comment">${t.comment}</label>
      <textarea
        id="approval-comment"
        name="comment"
        rows="4"
        required
        ${commentError ? html` aria-invalid="true" aria-describedby="approval-comment-error" autofocus` : ''}
      ></textarea>
      ${commentError ? html`<p class="error" id="approval-comment-error">${commentError}</p>` : ''}
      <button type="submit">${t.reject}</button>
    </form>`;
}

function messageOf(lang: Language, key: Key): Html {
  return html`<p class="notice" role="status">${words(lang)[key]}</p>`;
}

function pageOf(lang: Language, title: Key, message: Key): Html {
  const t = words(lang);
  return messagePage(lang, t[title], t[message]);
}

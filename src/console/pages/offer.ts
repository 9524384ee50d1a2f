import express, { type CookieOptions, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { SESSION_COOKIE } from '../../api/session.js';
import { isAppError } from '../../errors.js';
import type { Ticket } from '../../domain/ticket.js';
import type { Language, Priority } from '../../domain/values.js';
import { OFFER_ENDING_EVENTS } from '../../notify/offer-currency.js';
import { offerEventOfCode, type OfferLink, type OfferLinkOutcome } from '../../store/offer-link-repository.js';
import { acceptTicket, declineTicket } from '../../tickets/actions.js';
import { within } from '../../tickets/deps.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { texts } from '../i18n.js';
import { bareLayout } from '../layout.js';
import { languageOf } from '../viewer.js';

/**
 * The offer link of a technician's phone (`/o/<code>`, from the offer SMS): the ticket and two
 * buttons, without a token or a session. The code is the proof (store/offer-link-repository.ts):
 * bound to the offer, good while that offer stands, used once. Opening the page uses nothing, since
 * SMS apps and link previews fetch a link before the person taps it; Accept or Decline uses it, in
 * the same transaction as the change, through the same use cases as the SMS commands.
 */

const words = texts(
  {
    title: 'Ticket offered to you',
    offered: 'This ticket is offered to you.',
    priority: 'Priority',
    category: 'Category',
    requester: 'Requester',
    description: 'Description',
    uncategorised: 'Uncategorised',
    unknownRequester: 'Unknown',
    priority_P1: 'P1, critical',
    priority_P2: 'P2, high',
    priority_P3: 'P3, normal',
    priority_P4: 'P4, low',
    accept: 'Accept',
    decline: 'Decline',
    bySms: (n: number) => `You can also answer by SMS: ACCEPT ${n} or DECLINE ${n}.`,
    declinedTitle: 'Declined, thank you',
    declined: 'The ticket goes back to the queue for someone else.',
    usedTitle: 'This link was used',
    used: 'This link has already been used: it works once.',
    expiredTitle: 'This offer has ended',
    expired: 'This offer is no longer open: it was answered, it timed out, or the ticket went to someone else.',
    unknownTitle: 'Unknown link',
    unknown: 'This link is not valid. Check that it was opened whole from the SMS.',
    refusedTitle: 'Refused',
    refused: 'This answer did not come from the offer page. Open the link from the SMS again.',
    failedTitle: 'Something went wrong',
    failed: 'Your answer could not be recorded. Try again in a moment.',
    whatNow: 'Reply to the offer SMS (LIST shows your tickets), or sign in to the console with your token.',
    signIn: 'Sign in',
    language: 'Language',
  },
  {
    title: 'Ticket qui vous est proposé',
    offered: 'Ce ticket vous est proposé.',
    priority: 'Priorité',
    category: 'Catégorie',
    requester: 'Demandeur',
    description: 'Description',
    uncategorised: 'Sans catégorie',
    unknownRequester: 'Inconnu',
    priority_P1: 'P1, critique',
    priority_P2: 'P2, haute',
    priority_P3: 'P3, normale',
    priority_P4: 'P4, basse',
    accept: 'Accepter',
    decline: 'Refuser',
    bySms: (n: number) => `Vous pouvez aussi répondre par SMS : ACCEPT ${n} ou DECLINE ${n}.`,
    declinedTitle: 'Refusé, merci',
    declined: "Le ticket retourne dans la file pour quelqu'un d'autre.",
    usedTitle: 'Ce lien a servi',
    used: 'Ce lien a déjà été utilisé : il ne sert qu’une fois.',
    expiredTitle: 'Cette proposition est terminée',
    expired: "Cette proposition n'est plus ouverte : elle a reçu une réponse, elle a expiré, ou le ticket est allé à quelqu'un d'autre.",
    unknownTitle: 'Lien inconnu',
    unknown: "Ce lien n'est pas valide. Vérifiez qu'il a été ouvert en entier depuis le SMS.",
    refusedTitle: 'Refusé',
    refused: 'Cette réponse ne vient pas de la page de la proposition. Ouvrez à nouveau le lien du SMS.',
    failedTitle: 'Une erreur est survenue',
    failed: "Votre réponse n'a pas pu être enregistrée. Réessayez dans un instant.",
    whatNow: 'Répondez au SMS de la proposition (LIST affiche vos tickets), ou connectez-vous à la console avec votre jeton.',
    signIn: 'Se connecter',
    language: 'Langue',
  },
);

type Words = ReturnType<typeof words>;

export interface OfferLinkOptions {
  /** The console's urlencoded body parser (the forms carry nothing but the button). */
  forms: RequestHandler;
  /** The session cookie's attributes, as POST /login sets it. */
  sessionCookie: CookieOptions;
}

/** Why a link opens nothing: the page to show and its status (404 unknown, 410 used or ended, 403 foreign). */
type Refusal = 'unknown' | 'used' | 'expired' | 'refused' | 'failed';
const STATUS: Record<Refusal, number> = { unknown: 404, used: 410, expired: 410, refused: 403, failed: 500 };

/** The offer's state as the page tells it: open, or the refusal. */
function refusalOf(link: OfferLink | null): Refusal | null {
  if (!link) return 'unknown';
  if (link.used) return 'used';
  return link.standing ? null : 'expired';
}

export function offerLinkRouter(deps: ConsoleDeps, options: OfferLinkOptions): Router {
  const router = express.Router();
  // TWILIO_AUTH_TOKEN makes the codes (notify/offer-link.ts): without telephony there are none.
  const secret = deps.config.twilio?.authToken;
  const find = async (code: string, store = deps.store): Promise<OfferLink | null> => {
    const offerEventId = secret ? offerEventOfCode(secret, code) : null;
    return offerEventId ? store.offerLinks.find(offerEventId, OFFER_ENDING_EVENTS) : null;
  };

  router.get('/o/:code', (req, res, next) => {
    res.locals.routePattern = '/o/:code';
    const lang = languageOf(req, res, deps.config.language);
    Promise.resolve()
      .then(async () => {
        const code = codeOf(req);
        const link = await find(code);
        const refusal = refusalOf(link);
        const ticket = link && !refusal ? await deps.store.tickets.get(link.ticketId) : null;
        if (!ticket) return send(res, STATUS[refusal ?? 'unknown'], refusalPage(lang, refusal ?? 'unknown'));
        send(res, 200, offerPage(lang, code, ticket));
      })
      .catch(next);
  });

  /** Uses the link for `outcome` and makes the change, in one transaction: both or neither. */
  const answer = (outcome: OfferLinkOutcome) => (req: Request, res: Response, next: NextFunction) => {
    res.locals.routePattern = `/o/:code/${outcome === 'accepted' ? 'accept' : 'decline'}`;
    const lang = languageOf(req, res, deps.config.language);
    Promise.resolve()
      .then(async () => {
        // No session, so no CSRF secret: the code is the proof. A browser says where a form came
        // from (Origin, on every POST); one from another site is refused.
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== new URL(deps.config.publicUrl).origin) {
          return send(res, 403, refusalPage(lang, 'refused'));
        }
        const code = codeOf(req);
        const result = await deps.store.transaction(async (tx): Promise<OfferLink | Refusal> => {
          const before = await find(code, tx);
          if (!before) return 'unknown';
          // Locked first: an SMS ACCEPT, a timeout or a coordinator waits, and the offer stands or not.
          await tx.tickets.lock(before.ticketId);
          const link = await find(code, tx);
          const refusal = refusalOf(link);
          if (refusal || !link) return refusal ?? 'unknown';
          if (!(await tx.offerLinks.use(link, outcome))) return 'used';
          const tickets = within(deps.tickets, tx);
          if (outcome === 'accepted') await acceptTicket(tickets, link.ticketId, link.technicianId);
          else await declineTicket(tickets, link.ticketId, link.technicianId);
          return link;
        });
        if (typeof result === 'string') return send(res, STATUS[result], refusalPage(lang, result));
        if (outcome === 'declined') return send(res, 200, declinedPage(lang));
        // Accepted: signed in as that technician, on the ticket, where they reply, note and resolve.
        const session = await deps.store.sessions.open({ role: 'technician', technicianId: result.technicianId });
        res.cookie(SESSION_COOKIE, session.id, options.sessionCookie);
        res.redirect(303, `/tickets/${encodeURIComponent(result.ticketId)}`);
      })
      .catch(next);
  };
  router.post('/o/:code/accept', options.forms, answer('accepted'));
  router.post('/o/:code/decline', options.forms, answer('declined'));
  router.use(offerLinkErrors(deps));
  return router;
}

/**
 * The console's error handler logs the request's path, which here holds the code: what fails on
 * these pages is logged by its route instead, and answered with the page that says what to do.
 */
function offerLinkErrors(deps: ConsoleDeps) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status: unknown = isAppError(err) ? err.status : typeof err === 'object' && err !== null ? Reflect.get(err, 'status') : undefined;
    const known = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    const route: unknown = res.locals.routePattern;
    if (known >= 500) deps.log.error({ err, route: typeof route === 'string' ? route : '/o/:code' }, 'offer link page failed');
    send(res, known, refusalPage(languageOf(req, res, deps.config.language), known >= 500 ? 'failed' : 'refused'));
  };
}

const codeOf = (req: Request): string => (typeof req.params.code === 'string' ? req.params.code : '');

function send(res: Response, status: number, page: Html): void {
  // The page's forms must carry their Origin (a no-referrer policy would send `Origin: null`); the
  // URL, a capability, still goes to no other site.
  res.status(status).type('html').set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' }).send(page.value);
}

function languageLinks(t: Words, path: string): Html {
  return html`<p class="language-switch">
    <span class="visually-hidden">${t.language}: </span>
    <a href="${path}?lang=en" lang="en">English</a> · <a href="${path}?lang=fr" lang="fr">Français</a>
  </p>`;
}

const priorityWords = (t: Words, priority: Priority): string => t[`priority_${priority}`];

function offerPage(lang: Language, code: string, ticket: Ticket): Html {
  const t = words(lang);
  const action = (what: string) => `/o/${encodeURIComponent(code)}/${what}`;
  return bareLayout(lang, {
    title: `${ticket.reference} · ${t.title}`,
    body: html`<article class="offer">
      <p class="notice">${t.offered}</p>
      <h1><span class="reference">${ticket.reference}</span> ${ticket.subject}</h1>
      <dl class="offer-facts">
        <dt>${t.priority}</dt>
        <dd class="priority priority-${ticket.priority}">${priorityWords(t, ticket.priority)}</dd>
        <dt>${t.category}</dt>
        <dd>${ticket.category ?? t.uncategorised}</dd>
        <dt>${t.requester}</dt>
        <dd>${ticket.requester.name ?? ticket.requester.email ?? t.unknownRequester}</dd>
      </dl>
      <h2>${t.description}</h2>
      <p class="offer-description">${ticket.description}</p>
      <div class="offer-answers">
        <form method="post" action="${action('accept')}"><button type="submit">${t.accept}</button></form>
        <form method="post" action="${action('decline')}"><button type="submit" class="secondary">${t.decline}</button></form>
      </div>
      <p class="hint">${t.bySms(ticket.number)}</p>
      ${languageLinks(t, `/o/${encodeURIComponent(code)}`)}
    </article>`,
  });
}

function declinedPage(lang: Language): Html {
  const t = words(lang);
  return bareLayout(lang, {
    title: t.declinedTitle,
    body: html`<h1>${t.declinedTitle}</h1>
      <p role="status">${t.declined}</p>`,
  });
}

function refusalPage(lang: Language, refusal: Refusal): Html {
  const t = words(lang);
  const { title, message } = {
    unknown: { title: t.unknownTitle, message: t.unknown },
    used: { title: t.usedTitle, message: t.used },
    expired: { title: t.expiredTitle, message: t.expired },
    refused: { title: t.refusedTitle, message: t.refused },
    failed: { title: t.failedTitle, message: t.failed },
  }[refusal];
  return bareLayout(lang, {
    title,
    body: html`<h1>${title}</h1>
      <p role="alert">${message}</p>
      <p>${t.whatNow}</p>
      <p><a class="button" href="/login">${t.signIn}</a></p>`,
  });
}

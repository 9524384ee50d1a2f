import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Language } from '../../domain/values.js';
import { articleLinksOf } from '../../notify/article-link.js';
import type { Article } from '../../store/article-repository.js';
import { suggestionOfCode } from '../../store/article-suggestion-repository.js';
import { resolveBySelfService, selfServiceLink, type SelfServiceOutcome } from '../../tickets/self-service.js';
import { capabilityErrors, messagePage, sendCapabilityPage } from '../capability-page.js';
import type { ConsoleDeps } from '../deps.js';
import { html, markdown, type Html } from '../html.js';
import { texts } from '../i18n.js';
import { bareLayout } from '../layout.js';
import { languageOf } from '../viewer.js';

/**
 * The knowledge base's public pages, without a token or a session (issue #16):
 * - `/kb/:id`: a published article (a draft, or no such article, is a 404);
 * - `/kb/s/<code>`: an article suggested with a ticket's acknowledgement, with the button "This
 *   solved my problem". The code is the proof (store/article-suggestion-repository.ts). Opening
 *   the page changes nothing (mail scanners and link previews fetch links before a person does);
 *   only the form's POST resolves the ticket, once (tickets/self-service.ts).
 */

const words = texts(
  {
    solved: 'This solved my problem',
    solvedHint: (n: number) => `If this article solved your problem, tell us: your request HD-${n} will be closed.`,
    resolvedTitle: 'Thank you',
    resolved: 'Your request is closed. If the problem comes back, reply to our last message and it will be reopened.',
    usedTitle: 'Already done',
    used: 'This link has already been used: your request is closed.',
    settled: 'Your request is already resolved or closed.',
    notFoundTitle: 'Article not found',
    notFound: 'There is no such article, or it is not published.',
    refusedTitle: 'Refused',
    refused: 'This answer did not come from the article page. Open the link from our message again.',
    failedTitle: 'Something went wrong',
    failed: 'Your answer could not be recorded. Try again in a moment.',
  },
  {
    solved: 'Cela a résolu mon problème',
    solvedHint: (n: number) => `Si cet article a résolu votre problème, dites-le-nous : votre demande HD-${n} sera close.`,
    resolvedTitle: 'Merci',
    resolved: 'Votre demande est close. Si le problème revient, répondez à notre dernier message et elle sera rouverte.',
    usedTitle: 'Déjà fait',
    used: 'Ce lien a déjà servi : votre demande est close.',
    settled: 'Votre demande est déjà résolue ou close.',
    notFoundTitle: 'Article introuvable',
    notFound: "Cet article n'existe pas, ou n'est pas publié.",
    refusedTitle: 'Refusé',
    refused: "Cette réponse ne vient pas de la page de l'article. Ouvrez à nouveau le lien de notre message.",
    failedTitle: 'Une erreur est survenue',
    failed: "Votre réponse n'a pas pu être enregistrée. Réessayez dans un instant.",
  },
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function knowledgeRouter(deps: ConsoleDeps, options: { forms: RequestHandler }): Router {
  const router = express.Router();
  const { secret } = articleLinksOf(deps.config);
  const suggestionOf = (req: Request): string | null => {
    const code = typeof req.params.code === 'string' ? req.params.code : '';
    return secret ? suggestionOfCode(secret, code) : null;
  };

  router.get('/kb/:id', (req, res, next) => {
    res.locals.routePattern = '/kb/:id';
    const lang = languageOf(req, res, deps.config.language);
    Promise.resolve()
      .then(async () => {
        const id = req.params.id;
        const article = id && UUID.test(id) ? await deps.store.articles.published(id) : null;
        if (!article) return sendCapabilityPage(res, 404, pageOf(lang, 'notFoundTitle', 'notFound'));
        sendCapabilityPage(res, 200, articlePage(lang, article, html``));
      })
      .catch(next);
  });

  router.get('/kb/s/:code', (req, res, next) => {
    res.locals.routePattern = '/kb/s/:code';
    const lang = languageOf(req, res, deps.config.language);
    Promise.resolve()
      .then(async () => {
        const suggestionId = suggestionOf(req);
        const link = suggestionId ? await selfServiceLink(deps.tickets, suggestionId) : null;
        if (!link) return sendCapabilityPage(res, 404, pageOf(lang, 'notFoundTitle', 'notFound'));
        const t = words(lang);
        const action = `/kb/s/${encodeURIComponent(String(req.params.code))}/solved`;
        const footer = link.open
          ? html`<form method="post" action="${action}" class="kb-solved">
              <p>${t.solvedHint(link.ticketNumber)}</p>
              <button type="submit">${t.solved}</button>
            </form>`
          : html`<p class="notice" role="status">${t.settled}</p>`;
        sendCapabilityPage(res, 200, articlePage(lang, link.article, footer));
      })
      .catch(next);
  });

  router.post('/kb/s/:code/solved', options.forms, (req, res, next) => {
    res.locals.routePattern = '/kb/s/:code/solved';
    const lang = languageOf(req, res, deps.config.language);
    Promise.resolve()
      .then(async () => {
        // No session, so no CSRF secret: the code is the proof. A browser says where a form came
        // from (Origin, on every POST); one from another site is refused.
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== new URL(deps.config.publicUrl).origin) {
          return sendCapabilityPage(res, 403, pageOf(lang, 'refusedTitle', 'refused'));
        }
        const suggestionId = suggestionOf(req);
        const outcome: SelfServiceOutcome = suggestionId ? await resolveBySelfService(deps.tickets, suggestionId) : 'unknown';
        const [status, title, message] = PAGES[outcome];
        sendCapabilityPage(res, status, pageOf(lang, title, message));
      })
      .catch(next);
  });

  router.use(
    capabilityErrors(deps, {
      route: (res) => (typeof res.locals.routePattern === 'string' ? res.locals.routePattern : '/kb'),
      what: 'knowledge base page',
      failed: (lang) => pageOf(lang, 'failedTitle', 'failed'),
      refused: (lang) => pageOf(lang, 'refusedTitle', 'refused'),
    }),
  );
  return router;
}

type Words = ReturnType<typeof words>;
type Key = { [K in keyof Words]: Words[K] extends string ? K : never }[keyof Words];

const PAGES: Record<SelfServiceOutcome, [number, Key, Key]> = {
  resolved: [200, 'resolvedTitle', 'resolved'],
  used: [410, 'usedTitle', 'used'],
  settled: [410, 'usedTitle', 'settled'],
  unknown: [404, 'notFoundTitle', 'notFound'],
};

function articlePage(lang: Language, article: Article, footer: Html): Html {
  return bareLayout(lang, {
    title: article.title,
    body: html`<article class="kb-article" lang="${article.language}">
        <h1>${article.title}</h1>
        ${article.tags.length > 0 ? html`<p class="kb-tags">${article.tags.join(' · ')}</p>` : ''}
        <div class="kb-body">${markdown(article.body)}</div>
      </article>
      ${footer}`,
  });
}

function pageOf(lang: Language, title: Key, message: Key): Html {
  const t = words(lang);
  return messagePage(lang, t[title], t[message]);
}
